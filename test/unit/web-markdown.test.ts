// Lab chapters are rendered without raw HTML and with safe links only (web/src/markdown.ts).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, safeLink } from '../../web/src/markdown.ts';

describe('chapter markdown', () => {
  it('shows raw HTML as text', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nInline <b onclick="x()">bold</b>');
    assert.doesNotMatch(html, /<script|<img|<b /);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;b onclick=&quot;x\(\)&quot;&gt;bold&lt;\/b&gt;/);
  });

  it('keeps http(s), anchors and relative links; external ones open apart with rel=noopener', () => {
    const html = renderMarkdown('[a](https://example.com/x) [b](#step-2) [c](../other/README.md) [d](docs/x.md)');
    assert.match(html, /<a href="https:\/\/example\.com\/x" target="_blank" rel="noopener noreferrer">a<\/a>/);
    assert.match(html, /<a href="#step-2">b<\/a>/);
    assert.match(html, /<a href="\.\.\/other\/README\.md">c<\/a>/);
    assert.match(html, /<a href="docs\/x\.md">d<\/a>/);
  });

  it('drops javascript:, data:, protocol-relative and disguised links', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'jav&#x61;script:alert(1)', 'data:text/html,<b>x</b>', '//evil.example/', 'vbscript:x', 'file:///etc/passwd']) {
      const html = renderMarkdown(`[x](${href})`);
      assert.doesNotMatch(html, /<a /, `${href} → ${html}`);
    }
    for (const bad of ['java\tscript:alert(1)', '/\\evil.example', ' javascript:x', 'mailto:a@b']) assert.equal(safeLink(bad), false, bad);
    for (const good of ['http://x', 'HTTPS://x', '#a', '/labs/x', 'a/b', '../c', '?q=1']) assert.equal(safeLink(good), true, good);
  });

  it('keeps only relative images', () => {
    assert.doesNotMatch(renderMarkdown('![x](https://tracker.example/p.png)'), /<img/);
    assert.doesNotMatch(renderMarkdown('![x](javascript:alert(1))'), /<img/);
    assert.match(renderMarkdown('![diagram](img/topology.png)'), /<img src="img\/topology\.png" alt="diagram">/);
  });

  it('marks fenced shell blocks with their language for the Run buttons', () => {
    assert.match(renderMarkdown('```sh\nkubectl get vm\n```'), /<pre><code class="language-sh">kubectl get vm\n<\/code><\/pre>/);
  });
});
