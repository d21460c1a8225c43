import { MAP_ATTRIBUTION, type PublicMap } from '../../app/public-map.ts';
import { html } from './html.ts';
import { page } from './layout.ts';

/**
 * The public map (issue 13 §8), reachable without logging in: counts of distinct addresses by
 * country and by county, cells under k withheld; never an address, municipality or coordinate.
 * The drawing is the same static SVG `counterseed map` writes (GET /map.svg), so it can be published on its own.
 */
export function mapPage(m: PublicMap, banner?: string): string {
  const countries = m.countries.slice(0, 20).map((c) => html`<tr><td>${c.label}</td><td>${c.ips === null ? `fewer than ${m.k} (withheld)` : c.ips}</td></tr>`);
  const counties = m.norwayCounties.map((c) => html`<tr><td>${c.label}</td><td>${c.ips === null ? `fewer than ${m.k} (withheld)` : c.ips}</td></tr>`);
  return page('Public map', undefined, undefined, html`${m.synthetic ? html`<p class="alert">SYNTHETIC DATA: not real figures</p>` : ''}
<p>Distinct IP addresses that received a warning, by country and, within Norway, by county. A cell with fewer than ${m.k} addresses is withheld (and a second one where the first could be worked out from a total). No IP address is ever shown on this page. Location is an IP-geolocation estimate.</p>
<img src="/map.svg" alt="Map of Norway's counties shaded by distinct addresses warned; withheld counties hatched" width="640" height="900">
<h2>By county (Norway)</h2><table><thead><tr><th>county</th><th>addresses</th></tr></thead><tbody>${counties}</tbody></table>
<h2>By country</h2><table><thead><tr><th>country</th><th>addresses</th></tr></thead><tbody>${countries}</tbody></table>
<p>${m.notPlaced} addresses could not be placed and are counted nowhere on the map. <a href="/api/public-map">GeoJSON</a></p>
<p class="note">Attribution: ${MAP_ATTRIBUTION.join('; ')}.</p>`, banner);
}
