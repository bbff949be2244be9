// Reading what the course's web server answered: which VM served the page,
// and the page in one line for a message when it is not what was expected.

/** The text of an HTML page in one short line (head, scripts and tags dropped, whitespace collapsed, at most 120 characters). */
export function pageText(body: string): string {
  const line = body.replace(/<(head|script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}

/**
 * The VM that served the page: the web server image's default page says
 * "Hello from <host name>", and the short host name is the VM's name.
 * Undefined for any other page.
 */
export function vmNameFromPage(body: string): string | undefined {
  const m = /Hello from ([^<\s]+)/.exec(body);
  return m ? m[1].split('.')[0] : undefined;
}
