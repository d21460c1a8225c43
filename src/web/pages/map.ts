import { html } from './html.ts';
import { page } from './layout.ts';

/**
 * The public map (issue 13 §8), reachable without logging in. A placeholder until the intelligence
 * branch gives counts by country and county (small cells suppressed): it shows no IPs and no data.
 */
export function mapPage(banner?: string): string {
  return page('Public map', undefined, undefined, html`<p>Counts of warnings delivered, by country and county, will be shown here.
Small cells are suppressed; no IP address is ever shown on this page.</p>
<svg width="320" height="160" viewBox="0 0 320 160" role="img" aria-label="map placeholder"><rect x="1" y="1" width="318" height="158" fill="#e8eef6" stroke="#15325b"/><text x="160" y="85" text-anchor="middle" font-size="14">map: data not yet published</text></svg>
<p class="note">Map and geographic data attribution will be listed here with the data.</p>`, banner);
}
