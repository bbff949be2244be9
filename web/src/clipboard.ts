// Copying and pasting text: the async Clipboard API where the page may use it
// (https, or http on loopback), else a hidden textarea and execCommand, which
// works on plain http too as long as it runs in a click or key handler.

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // Permission refused (e.g. the page is not focused): fall back below.
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand('copy')) throw new Error('the browser refused to copy');
  } finally {
    area.remove();
  }
}

/** The clipboard's text, or undefined when the browser will not give it (the user can still paste with Ctrl+Shift+V). */
export async function readClipboard(): Promise<string | undefined> {
  if (!navigator.clipboard?.readText || !window.isSecureContext) return undefined;
  try {
    return await navigator.clipboard.readText();
  } catch {
    return undefined;
  }
}
