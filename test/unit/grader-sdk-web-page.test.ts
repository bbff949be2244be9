// What the course's web server answered: the VM named on its default page,
// and any page in one line for a message.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pageText, vmNameFromPage } from '../../graders/sdk/index.ts';
import { defaultPage } from '../../sandbox/sim/guest/http.ts';

describe('the web server\'s page', () => {
  it('names the VM that served the default page, by its short host name', () => {
    assert.equal(vmNameFromPage(defaultPage('web1')), 'web1');
    assert.equal(vmNameFromPage(defaultPage('web2.ha-review.svc.cluster.local')), 'web2');
    assert.equal(vmNameFromPage('<h1>Application is not available</h1>'), undefined);
  });

  it('shows a page as one short line of text: head, scripts and tags dropped, whitespace collapsed', () => {
    assert.equal(pageText(defaultPage('web1')), 'Hello from web1');
    const page = '<html><head><title>x</title><style>h1 { color: red }</style></head><body>\n<h1>Application is not available</h1>\n<script>alert(1)</script><p>The application\n  is currently not serving requests.</p></body></html>';
    assert.equal(pageText(page), 'Application is not available The application is currently not serving requests.');
    assert.equal(pageText(''), '');
    const long = pageText(`<p>${'word '.repeat(60)}</p>`);
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('...'), long);
  });
});
