/** A database URL as it may be shown in errors and logs: without its password, and not at all when it does not parse (it might hold one). */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(hidden: not a URL)';
  }
  if (url.password) url.password = '***';
  return url.toString();
}
