/**
 * Texts kept past the document they were read from. Parsers return slices of a document's text,
 * and V8 keeps the whole text alive for as long as any slice of 13 characters or more lives: a
 * cache or a compact view that kept `autoscaling/v2` would keep its whole document. Flattening
 * `s + ' '` copies the characters; the slice then points into the copy.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : `${text} `.slice(0, -1);
}
