// Joining words for messages, so every lab lists and counts the same way:
// "web1, web2 and db1", "1 ready endpoint", "3 worker machines".

/** "a", "a and b", "a, b and c"; empty for none. */
export function andList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** "1 request", "6 requests": the count and the noun, with an s unless the count is 1. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
