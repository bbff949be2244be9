// What a containerDisk image holds: its OS, what is installed and enabled in
// it, and what its package repositories offer. The course's prepared images
// (quay.io/virtlab/*) come ready for the labs; the plain cloud images hold only
// sshd and the guest agent, as the upstream images do.

import type { GuestOsInfo } from './types.ts';

export type GuestFamily = 'fedora' | 'centos' | 'rhel' | 'cirros' | 'generic';

export interface OsRelease {
  id: string;
  idLike?: string;
  name: string;
  version: string;
  versionId: string;
  prettyName: string;
  platformId?: string;
  variant?: string;
  variantId?: string;
  homeUrl: string;
}

export interface GuestImage {
  /** The reference as the VMI gives it. */
  ref: string;
  family: GuestFamily;
  os: OsRelease;
  kernelRelease: string;
  /** Kernel build string (uname -v). */
  kernelVersion: string;
  /** Release tag of the distribution's packages (fc41, el9). */
  distTag: string;
  /** The cloud image's default user (cloud-init `default` user). */
  defaultUser: string;
  /** cirros runs busybox init: no systemctl, no dnf, an ash prompt. */
  init: 'systemd' | 'busybox';
  packageManager?: 'dnf';
  /** Installed packages, by name. */
  packages: string[];
  /** Units enabled in the image (start at every boot). */
  enabled: string[];
  /** Files the image ships on top of its packages' own (path → content). */
  files: Record<string, string>;
  /** Seconds from power-on to a booted userspace before the per-VMI variation. */
  bootBaseSeconds: number;
  bootSpreadSeconds: number;
  /** A course image (quay.io/virtlab/*). */
  prepared: boolean;
}

/** A package in the guest's repositories. */
export interface PackageInfo {
  name: string;
  version: string;
  /** Installed size shown by dnf. */
  size: string;
  /** systemd units it ships. */
  units: string[];
  /** Default files it installs (content may depend on the image). */
  files?(image: GuestImage): Record<string, string>;
}

/** FNV-1a: a stable small hash so per-VMI variety (boot time, MAC, PIDs) is deterministic. */
export function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Seconds from boot() to bootedAt for this image and VMI: 20–30 s for the Fedora-like images. */
export function bootSeconds(image: GuestImage, vmiName: string): number {
  return image.bootBaseSeconds + (nameHash(vmiName) % (image.bootSpreadSeconds + 1));
}

// Stock httpd from Fedora/CentOS/RHEL repositories listens on port 80; the
// prepared webserver image ships an httpd.conf that listens on 8080 instead.
function httpdConf(port: number): string {
  return [
    'ServerRoot "/etc/httpd"',
    `Listen ${port}`,
    'Include conf.modules.d/*.conf',
    'User apache',
    'Group apache',
    'ServerAdmin root@localhost',
    'DocumentRoot "/var/www/html"',
    'ErrorLog "logs/error_log"',
    'IncludeOptional conf.d/*.conf',
    '',
  ].join('\n');
}

const NGINX_CONF = [
  'user nginx;',
  'worker_processes auto;',
  'error_log /var/log/nginx/error.log notice;',
  'events {',
  '    worker_connections 1024;',
  '}',
  'http {',
  '    include /etc/nginx/mime.types;',
  '    include /etc/nginx/conf.d/*.conf;',
  '    server {',
  '        listen       80;',
  '        listen       [::]:80;',
  '        server_name  _;',
  '        root         /usr/share/nginx/html;',
  '    }',
  '}',
  '',
].join('\n');

// The course repositories carry a watchdog.conf with the device line active,
// so installing and enabling the service is all a student does to arm the
// i6300esb (kubevirt-behavior.md §4). Commenting the line out leaves the daemon
// running without touching the device, as the real daemon does.
const WATCHDOG_CONF = [
  '#ping = 172.31.14.1',
  '#interface = eth0',
  '#max-load-1 = 24',
  'watchdog-device = /dev/watchdog',
  'watchdog-timeout = 60',
  'interval = 1',
  'realtime = yes',
  'priority = 1',
  '',
].join('\n');

const MY_CNF = ['[mysqld]', 'datadir=/var/lib/mysql', 'socket=/var/lib/mysql/mysql.sock', 'port=3306', ''].join('\n');

const PACKAGES: Record<string, Omit<PackageInfo, 'name'>> = {
  httpd: { version: '2.4.62-1', size: '61 k', units: ['httpd'], files: (img) => ({ '/etc/httpd/conf/httpd.conf': httpdConf(img.prepared ? 8080 : 80), '/var/www/html/.keep': '' }) },
  nginx: { version: '1.26.2-1', size: '1.7 M', units: ['nginx'], files: () => ({ '/etc/nginx/nginx.conf': NGINX_CONF, '/usr/share/nginx/html/.keep': '' }) },
  'mariadb-server': { version: '10.11.10-1', size: '67 M', units: ['mariadb'], files: () => ({ '/etc/my.cnf.d/mariadb-server.cnf': MY_CNF }) },
  mariadb: { version: '10.11.10-1', size: '21 M', units: [] },
  watchdog: { version: '5.16-10', size: '129 k', units: ['watchdog'], files: () => ({ '/etc/watchdog.conf': WATCHDOG_CONF }) },
  'qemu-guest-agent': { version: '9.1.2-1', size: '1.0 M', units: ['qemu-guest-agent'] },
  'openssh-server': { version: '9.6p1-1', size: '1.4 M', units: ['sshd'] },
  chrony: { version: '4.6.1-1', size: '677 k', units: ['chronyd'] },
  NetworkManager: { version: '1.46.2-1', size: '6.1 M', units: ['NetworkManager'] },
  'cloud-init': { version: '24.1.4-1', size: '5.6 M', units: [] },
  curl: { version: '8.6.0-10', size: '774 k', units: [] },
  'vim-minimal': { version: '9.1.825-1', size: '1.6 M', units: [] },
  sudo: { version: '1.9.15-2', size: '4.9 M', units: [] },
};

/** A package the repositories offer; unknown names install as plain packages without units. */
export function packageInfo(name: string): PackageInfo {
  const p = PACKAGES[name];
  return p ? { name, ...p } : { name, version: '1.0-1', size: '120 k', units: [] };
}

const BASE_PACKAGES = ['openssh-server', 'qemu-guest-agent', 'cloud-init', 'curl', 'chrony', 'NetworkManager', 'vim-minimal', 'sudo'];
const BASE_ENABLED = ['NetworkManager', 'chronyd', 'qemu-guest-agent', 'sshd'];

const FEDORA_KERNELS: Record<number, string> = {
  39: '6.5.6-300.fc39.x86_64',
  40: '6.8.5-301.fc40.x86_64',
  41: '6.11.4-301.fc41.x86_64',
  42: '6.14.0-63.fc42.x86_64',
  43: '6.17.1-300.fc43.x86_64',
};

function fedora(ref: string, tag: string): GuestImage {
  const n = /^\d+$/.test(tag) ? Number(tag) : 41;
  return {
    ref,
    family: 'fedora',
    os: {
      id: 'fedora', name: 'Fedora Linux', version: `${n} (Cloud Edition)`, versionId: String(n),
      prettyName: `Fedora Linux ${n} (Cloud Edition)`, platformId: `platform:f${n}`, variant: 'Cloud Edition', variantId: 'cloud',
      homeUrl: 'https://fedoraproject.org/',
    },
    kernelRelease: FEDORA_KERNELS[n] ?? `6.${Math.max(0, n - 32)}.0-300.fc${n}.x86_64`,
    kernelVersion: '#1 SMP PREEMPT_DYNAMIC',
    distTag: `fc${n}`,
    defaultUser: 'fedora',
    init: 'systemd',
    packageManager: 'dnf',
    packages: [...BASE_PACKAGES],
    enabled: [...BASE_ENABLED],
    files: {},
    bootBaseSeconds: 20,
    bootSpreadSeconds: 10,
    prepared: false,
  };
}

function centosStream(ref: string, tag: string): GuestImage {
  const n = tag === '10' ? 10 : 9;
  return {
    ...fedora(ref, '41'),
    family: 'centos',
    os: {
      id: 'centos', idLike: 'rhel fedora', name: 'CentOS Stream', version: String(n), versionId: String(n),
      prettyName: `CentOS Stream ${n}`, platformId: `platform:el${n}`, homeUrl: 'https://centos.org/',
    },
    kernelRelease: n === 10 ? '6.12.0-55.el10.x86_64' : '5.14.0-570.el9.x86_64',
    distTag: `el${n}`,
    defaultUser: 'cloud-user',
  };
}

const RHEL_CODENAMES: Record<number, string> = { 8: 'Ootpa', 9: 'Plow', 10: 'Coughlan' };
const RHEL9_KERNEL_BUILDS: Record<number, string> = { 0: '70.13.1', 1: '162.6.1', 2: '284.11.1', 3: '362.8.1', 4: '427.13.1', 5: '503.11.1', 6: '570.12.1' };

function rhel(ref: string, major: number, tag: string): GuestImage {
  const m = /^\d+\.(\d+)/.exec(tag);
  const minor = m ? Number(m[1]) : major === 9 ? 4 : major === 8 ? 10 : 0;
  const v = `${major}.${minor}`;
  const kernel = major === 8 ? `4.18.0-553.el8_${minor}.x86_64`
    : major === 10 ? `6.12.0-55.el10_${minor}.x86_64`
      : `5.14.0-${RHEL9_KERNEL_BUILDS[minor] ?? '427.13.1'}.el9_${minor}.x86_64`;
  return {
    ...fedora(ref, '41'),
    family: 'rhel',
    os: {
      id: 'rhel', idLike: 'fedora', name: 'Red Hat Enterprise Linux', version: `${v} (${RHEL_CODENAMES[major] ?? 'Plow'})`, versionId: v,
      prettyName: `Red Hat Enterprise Linux ${v} (${RHEL_CODENAMES[major] ?? 'Plow'})`, platformId: `platform:el${major}`,
      homeUrl: 'https://www.redhat.com/',
    },
    kernelRelease: kernel,
    distTag: `el${major}`,
    defaultUser: 'cloud-user',
  };
}

function cirros(ref: string): GuestImage {
  return {
    ref,
    family: 'cirros',
    os: { id: 'cirros', name: 'CirrOS', version: '0.5.2', versionId: '0.5.2', prettyName: 'CirrOS 0.5.2', homeUrl: 'https://github.com/cirros-dev/cirros' },
    kernelRelease: '5.3.0-26-generic',
    kernelVersion: '#28~18.04.1-Ubuntu SMP',
    distTag: '',
    defaultUser: 'cirros',
    init: 'busybox',
    packages: ['openssh-server'],
    enabled: ['sshd'],
    files: {},
    bootBaseSeconds: 10,
    bootSpreadSeconds: 4,
    prepared: false,
  };
}

/** Anything we do not know: a Linux with sshd, no guest agent and no package manager we can speak for. */
function generic(ref: string): GuestImage {
  return {
    ref,
    family: 'generic',
    os: { id: 'linux', name: 'Linux', version: '', versionId: '', prettyName: 'Linux', homeUrl: 'https://www.kernel.org/' },
    kernelRelease: '6.1.0-generic',
    kernelVersion: '#1 SMP PREEMPT_DYNAMIC',
    distTag: '',
    defaultUser: 'cloud-user',
    init: 'systemd',
    packages: ['openssh-server', 'cloud-init', 'curl', 'sudo'],
    enabled: ['sshd'],
    files: {},
    bootBaseSeconds: 20,
    bootSpreadSeconds: 10,
    prepared: false,
  };
}

function prepared(ref: string, extra: string[], enabled: string[]): GuestImage {
  const img = fedora(ref, '41');
  return { ...img, prepared: true, packages: [...img.packages, ...extra], enabled: [...img.enabled, ...enabled] };
}

/** Splits `registry/path:tag@digest` into the repository (without a default docker.io host) and the tag. */
export function parseImageRef(ref: string): { repo: string; tag: string } {
  let rest = ref.trim();
  const at = rest.indexOf('@');
  if (at >= 0) rest = rest.slice(0, at);
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag = 'latest';
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  rest = rest.replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
  return { repo: rest.toLowerCase(), tag };
}

type Builder = (ref: string, tag: string) => GuestImage;

const IMAGES: Record<string, Builder> = {
  'quay.io/virtlab/webserver': (ref) => prepared(ref, ['httpd', 'watchdog'], ['watchdog', 'httpd']),
  'quay.io/virtlab/database': (ref) => prepared(ref, ['mariadb-server', 'mariadb', 'watchdog'], ['watchdog', 'mariadb']),
  'quay.io/containerdisks/fedora': fedora,
  'quay.io/kubevirt/fedora-cloud-container-disk-demo': fedora,
  'kubevirt/fedora-cloud-container-disk-demo': fedora,
  'quay.io/containerdisks/centos-stream': centosStream,
  'registry.redhat.io/rhel8/rhel-guest-image': (ref, tag) => rhel(ref, 8, tag),
  'registry.redhat.io/rhel9/rhel-guest-image': (ref, tag) => rhel(ref, 9, tag),
  'registry.redhat.io/rhel10/rhel-guest-image': (ref, tag) => rhel(ref, 10, tag),
  'quay.io/kubevirt/cirros-container-disk-demo': cirros,
  'kubevirt/cirros-container-disk-demo': cirros,
  'quay.io/kubevirt/cirros-registry-disk-demo': cirros,
};

/** The guest an image boots into. */
export function resolveImage(ref: string | undefined): GuestImage {
  if (!ref) return generic('');
  const { repo, tag } = parseImageRef(ref);
  const build = IMAGES[repo];
  return build ? build(ref, tag) : generic(ref);
}

/** Default files every image has, before packages and the image's own additions. */
export function baseFiles(image: GuestImage, hostname: string): Record<string, string> {
  const files: Record<string, string> = {
    '/etc/os-release': osReleaseText(image.os),
    '/etc/hostname': `${hostname}\n`,
    '/etc/hosts': '127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n',
    '/etc/resolv.conf': '',
    '/tmp/.keep': '',
  };
  if (image.family === 'fedora') files['/etc/fedora-release'] = `Fedora release ${image.os.versionId} (${image.os.variant ?? 'Cloud Edition'})\n`;
  if (image.family === 'fedora' || image.family === 'centos' || image.family === 'rhel') {
    files['/etc/redhat-release'] = image.family === 'centos' ? `CentOS Stream release ${image.os.versionId}\n`
      : image.family === 'rhel' ? `Red Hat Enterprise Linux release ${image.os.version}\n`
        : `Fedora release ${image.os.versionId} (${image.os.variant ?? 'Cloud Edition'})\n`;
  }
  return files;
}

export function osReleaseText(os: OsRelease): string {
  const q = (v: string) => `"${v}"`;
  const lines = [`NAME=${q(os.name)}`];
  if (os.version) lines.push(`VERSION=${q(os.version)}`);
  lines.push(`ID=${os.id}`);
  if (os.idLike) lines.push(`ID_LIKE=${q(os.idLike)}`);
  if (os.versionId) lines.push(`VERSION_ID=${os.versionId}`);
  if (os.platformId) lines.push(`PLATFORM_ID=${q(os.platformId)}`);
  lines.push(`PRETTY_NAME=${q(os.prettyName)}`);
  lines.push(`HOME_URL=${q(os.homeUrl)}`);
  if (os.variant) lines.push(`VARIANT=${q(os.variant)}`);
  if (os.variantId) lines.push(`VARIANT_ID=${os.variantId}`);
  return lines.join('\n') + '\n';
}

/** The guest agent's OS report (guest-get-osinfo). */
export function osInfo(image: GuestImage): GuestOsInfo {
  return {
    id: image.os.id,
    name: image.os.name,
    prettyName: image.os.prettyName,
    version: image.os.version,
    versionId: image.os.versionId,
    kernelRelease: image.kernelRelease,
    kernelVersion: image.kernelVersion,
    machine: 'x86_64',
  };
}

/** A package's full name-version-release.arch, as dnf prints it. */
export function packageNevra(image: GuestImage, p: PackageInfo): string {
  return `${p.name}-${p.version}${image.distTag ? `.${image.distTag}` : ''}.${p.name === 'cloud-init' ? 'noarch' : 'x86_64'}`;
}
