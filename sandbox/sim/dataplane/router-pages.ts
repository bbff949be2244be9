// The answers the router gives on its own: an "Application is not available"
// page in our words, titled like OpenShift's (503: no route for the host and path, or no server left in
// the backend), HAProxy's 502 when a server answers garbage, and the 302 of
// insecureEdgeTerminationPolicy Redirect. HAProxy 2.x writes header names in
// lower case; its error pages are HTTP/1.0 answers that close the connection.

import type { DataPlaneResponse } from './http-message.ts';

const NOT_AVAILABLE_PAGE = `<html>
  <head>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Application is not available</title>
    <style type="text/css">
      body { font-family: sans-serif; color: #333; margin: 2em 1em; }
      h1 { font-size: 28px; font-weight: 400; }
      .why { background-color: #F0F0F0; margin-top: 30px; padding: 30px; }
      li { font-size: 14px; margin-bottom: 1em; }
    </style>
  </head>
  <body>
    <h1>Application is not available</h1>
    <p>No application answers at this address right now.</p>
    <div class="why">
      <p>The router sends this page when:</p>
      <ul>
        <li><strong>No route has this host name.</strong> Check the spelling of the host and that a route for it exists and was admitted.</li>
        <li><strong>A route has this host, but not this path.</strong> Check the path of the URL against the path of the route.</li>
        <li><strong>The route matches, but no endpoint is ready.</strong> The Service behind the route has no ready pod or VM: check its endpoints and the readiness of what it selects.</li>
      </ul>
    </div>
  </body>
</html>
`;

export function applicationNotAvailable(method: string): DataPlaneResponse {
  return {
    status: 503,
    reason: 'Service Unavailable',
    version: '1.0',
    headers: [
      ['pragma', 'no-cache'],
      ['cache-control', 'private, max-age=0, no-cache, no-store'],
      ['connection', 'close'],
      ['content-type', 'text/html'],
    ],
    body: method === 'HEAD' ? '' : NOT_AVAILABLE_PAGE,
    close: true,
  };
}

const BAD_GATEWAY_PAGE = '<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n';

export function badGateway(method: string): DataPlaneResponse {
  return {
    status: 502,
    reason: 'Bad Gateway',
    headers: [
      ['content-length', String(Buffer.byteLength(BAD_GATEWAY_PAGE))],
      ['cache-control', 'no-cache'],
      ['content-type', 'text/html'],
    ],
    body: method === 'HEAD' ? '' : BAD_GATEWAY_PAGE,
  };
}

/** `redirect scheme https`: the same Host header and path on https. */
export function redirectToHttps(hostHeader: string, path: string): DataPlaneResponse {
  return {
    status: 302,
    reason: 'Found',
    headers: [
      ['content-length', '0'],
      ['location', `https://${hostHeader}${path}`],
      ['cache-control', 'no-cache'],
    ],
    body: '',
  };
}
