/** One area's count, or its suppression (issue 11 item 5: no cell under k distinct IPs is published). */
export interface Cell { readonly key: string; readonly label: string; readonly ips: number | null; readonly suppressed: boolean }

/**
 * k-suppression: a cell with fewer than k distinct IPs is withheld. When a total is published and
 * exactly one cell under it is withheld, that cell could be worked out by subtraction, so the
 * smallest published cell is withheld too (complementary suppression).
 */
export function suppress(rows: readonly { key: string; label: string; ips: number }[], k: number, totalPublished: boolean): Cell[] {
  const cells = rows.map((r) => ({ ...r, suppressed: r.ips < k }));
  if (totalPublished && cells.filter((c) => c.suppressed).length === 1) {
    const next = cells.filter((c) => !c.suppressed).sort((a, b) => a.ips - b.ips)[0];
    if (next) next.suppressed = true;
  }
  return cells.map((c) => ({ key: c.key, label: c.label, ips: c.suppressed ? null : c.ips, suppressed: c.suppressed }));
}
