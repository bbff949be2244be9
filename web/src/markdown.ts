// Lab chapters are markdown written by lab authors, and a lab pack may come
// from anywhere: raw HTML is off (a <script> is shown as text), and links go
// only to http(s), in-page anchors or relative paths, opening other sites
// with rel="noopener noreferrer".

import markdownIt, { type MarkdownIt } from 'markdown-it';

/** Whether a link target is allowed: http(s), an anchor, or a relative path (no javascript:, data:, //host). */
export function safeLink(url: string): boolean {
  const u = url.trim();
  // Browsers drop tabs and newlines inside URLs ("java\tscript:"), so any control character is refused.
  if (!u || /[\u0000-\u001f\u007f\\]/.test(u) || u.startsWith('//')) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u);
  return !scheme || /^https?$/i.test(scheme[1]);
}

function createRenderer(): MarkdownIt {
  const md = markdownIt({ html: false, linkify: true, typographer: false });
  md.validateLink = safeLink;
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const href = String(token.attrGet('href') ?? '');
    if (/^https?:\/\//i.test(href)) {
      token.attrSet('target', '_blank');
      token.attrSet('rel', 'noopener noreferrer');
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  // Images would load from anywhere the author wrote: only same-origin relative ones are kept.
  const defaultImage = md.renderer.rules.image!;
  md.renderer.rules.image = (tokens, idx, options, env, self) => {
    const src = String(tokens[idx].attrGet('src') ?? '');
    if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(src)) return md.utils.escapeHtml(String(tokens[idx].content || src));
    return defaultImage(tokens, idx, options, env, self);
  };
  return md;
}

let renderer: MarkdownIt | undefined;

/** The chapter as HTML: safe to assign to innerHTML (markdown-it escapes every text and attribute). */
export function renderMarkdown(source: string): string {
  renderer ??= createRenderer();
  return renderer.render(source);
}
