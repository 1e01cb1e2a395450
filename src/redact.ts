/**
 * A URL without its password, for logs and messages: `http://user:***@host:8123/db`. The
 * ClickHouse URL (SEXTANT_CLICKHOUSE_URL) carries its credentials, and a log is read by more
 * people than the server's environment (OWASP ASVS 4.0 V7.1.1).
 */
export function redactUrlPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}
