// The MetalLB kinds (metallb.io/v1beta1) the course uses.

import type { KindDef } from '../types.ts';
import { ipAddressPoolKind } from './ipaddresspool.ts';
import { l2AdvertisementKind } from './l2advertisement.ts';
import { serviceL2StatusKind } from './servicel2status.ts';

export {
  ipAddressPoolKind, admitIPAddressPool, validatePoolAddresses, parseAddressRange, parseIP, formatIP, toBig, fromBig, metallbConfig, metallbDenial,
  IPADDRESSPOOL_WEBHOOK,
} from './ipaddresspool.ts';
export { l2AdvertisementKind, admitL2Advertisement, L2ADVERTISEMENT_WEBHOOK } from './l2advertisement.ts';
export { serviceL2StatusKind } from './servicel2status.ts';

export const metallbKinds: KindDef[] = [ipAddressPoolKind, l2AdvertisementKind, serviceL2StatusKind];
