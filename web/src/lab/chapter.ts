// The lab's chapter: its markdown rendered safely (markdown.ts), with a Run
// button on every shell block that types the commands into the terminal and
// a Copy button next to it.

import { copyText } from '../clipboard.ts';
import { h } from '../dom.ts';
import { renderMarkdown } from '../markdown.ts';

const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export interface ChapterOptions {
  /** Types a command into the visible terminal and presses Enter. */
  run(command: string): void;
}

export function renderChapter(source: string, o: ChapterOptions): HTMLElement {
  const article = h('article', { class: 'chapter' });
  // markdown-it escapes every text and attribute, and raw HTML is off: this is markup we made.
  article.innerHTML = renderMarkdown(source);
  const ids = new Set<string>();
  for (const heading of article.querySelectorAll<HTMLElement>('h1, h2, h3, h4')) {
    let id = slug(heading.textContent ?? '') || 'section';
    for (let n = 2; ids.has(id); n++) id = `${slug(heading.textContent ?? '')}-${n}`;
    ids.add(id);
    heading.id = id;
  }
  for (const code of article.querySelectorAll<HTMLElement>('pre > code')) {
    const lang = [...code.classList].find((c) => c.startsWith('language-'))?.slice('language-'.length);
    if (!lang || !SHELL_LANGUAGES.has(lang)) continue;
    const pre = code.parentElement!;
    const command = (code.textContent ?? '').replace(/\n+$/, '');
    const first = command.split('\n')[0];
    const copy = h('button', { type: 'button', class: 'code-button copy', title: 'Copy the command', 'aria-label': `Copy: ${first}` }, 'Copy');
    copy.addEventListener('click', () => {
      void copyText(command).then(() => {
        copy.textContent = 'Copied';
        window.setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
      }, () => { copy.textContent = 'Copy failed'; });
    });
    const run = h('button', {
      type: 'button', class: 'code-button run', title: 'Type the command into the terminal and run it',
      'aria-label': `Run in the terminal: ${first}`, 'data-command': command, onclick: () => o.run(command),
    }, '▶ Run');
    const block = h('div', { class: 'command-block' }, h('div', { class: 'command-buttons' }, run, copy));
    pre.replaceWith(block);
    block.append(pre);
  }
  return article;
}
