/** Times as `show`, `history` and the report write them, beside the shared status words. */

/** An ISO timestamp shortened to the second, still UTC and still ISO: `2026-11-26T23:15:00Z`; missing is `-`. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19)}Z`;
}
