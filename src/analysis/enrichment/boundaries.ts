import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

export interface Area {
  readonly number: string;
  readonly name: string;
}

export interface Placement {
  readonly municipality: Area;
  readonly county: Area;
  /** 'inside': the point is in the polygon; 'nearest': it fell outside every polygon (the boundaries are clipped to the coastline) and the nearest edge within NEAREST_DEG was taken. */
  readonly method: 'inside' | 'nearest';
}

/** Grid cell size in degrees: ~11 km north-south, so a cell has a few municipalities at most. */
const CELL = 0.1;
/** How far offshore a point may be and still take the nearest municipality (~5 km): DB-IP places coastal towns' centres on the water line. */
const NEAREST_DEG = 0.05;

interface Shape {
  readonly area: Area;
  readonly rings: readonly Float64Array[]; // x0,y0,x1,y1,... closed rings; outer and holes together (even-odd rule)
  readonly bbox: readonly [number, number, number, number];
}

/**
 * Point-in-polygon against Kartverket's 2024 municipality boundaries (assets/geo/), with a
 * bounding-box grid index: each 0.1° cell lists the municipalities whose bounding box touches it,
 * so a look-up tests 1-4 polygons instead of 357. Counties come from the municipality number
 * (its first two digits are the county's number in the 2024 numbering).
 */
export class Boundaries {
  private readonly shapes: Shape[] = [];
  private readonly grid = new Map<number, number[]>();
  private readonly counties = new Map<string, Area>();
  private readonly memo = new Map<string, Placement | null>();
  readonly municipalityCount: number;

  constructor(municipalities: Topology, counties: Topology) {
    const kommuner = feature(municipalities, municipalities.objects['Kommuner'] as GeometryCollection).features as Feature<Polygon | MultiPolygon>[];
    for (const f of kommuner) {
      const p = f.properties as { kommunenummer: string; kommunenavn: string };
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      const rings = polys.flat().map((ring) => Float64Array.from(ring.flat()));
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (const r of rings) for (let i = 0; i < r.length; i += 2) {
        x0 = Math.min(x0, r[i]!); x1 = Math.max(x1, r[i]!); y0 = Math.min(y0, r[i + 1]!); y1 = Math.max(y1, r[i + 1]!);
      }
      this.shapes.push({ area: { number: p.kommunenummer, name: p.kommunenavn }, rings, bbox: [x0, y0, x1, y1] });
    }
    this.municipalityCount = this.shapes.length;
    this.shapes.forEach((s, idx) => {
      const [x0, y0, x1, y1] = s.bbox;
      for (let cx = Math.floor((x0 - NEAREST_DEG) / CELL); cx <= Math.floor((x1 + NEAREST_DEG) / CELL); cx++) {
        for (let cy = Math.floor((y0 - NEAREST_DEG) / CELL); cy <= Math.floor((y1 + NEAREST_DEG) / CELL); cy++) {
          const key = cellKey(cx, cy);
          const list = this.grid.get(key);
          if (list) list.push(idx); else this.grid.set(key, [idx]);
        }
      }
    });
    const fylker = feature(counties, counties.objects['Fylker'] as GeometryCollection).features;
    for (const f of fylker) {
      const p = f.properties as { fylkesnummer: string; fylkesnavn: string };
      this.counties.set(p.fylkesnummer, { number: p.fylkesnummer, name: p.fylkesnavn });
    }
  }

  /** Every municipality (number and name). */
  municipalities(): Area[] {
    return this.shapes.map((s) => s.area);
  }

  countyList(): Area[] {
    return [...this.counties.values()];
  }

  countyOf(municipalityNumber: string): Area | undefined {
    return this.counties.get(municipalityNumber.slice(0, 2));
  }

  /**
   * The municipality at (lon, lat), or undefined when the point is outside Norway's boundaries.
   * Memoised per coordinate: a city database has few distinct coordinates (one per city), so
   * millions of addresses hit the same few thousand points.
   */
  place(lon: number, lat: number): Placement | undefined {
    const key = `${lon},${lat}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.compute(lon, lat);
    if (this.memo.size >= 1_000_000) this.memo.clear(); // bounded: a hostile import cannot grow it forever
    this.memo.set(key, found ?? null);
    return found;
  }

  private compute(lon: number, lat: number): Placement | undefined {
    const candidates = this.grid.get(cellKey(Math.floor(lon / CELL), Math.floor(lat / CELL)));
    if (!candidates) return undefined;
    let best: { idx: number; d: number } | undefined;
    for (const idx of candidates) {
      const s = this.shapes[idx]!;
      const [x0, y0, x1, y1] = s.bbox;
      if (lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1 && inside(s.rings, lon, lat)) return this.placement(s.area, 'inside');
      const d = edgeDistance(s.rings, lon, lat);
      if (d <= NEAREST_DEG && (!best || d < best.d)) best = { idx, d };
    }
    return best ? this.placement(this.shapes[best.idx]!.area, 'nearest') : undefined;
  }

  private placement(municipality: Area, method: Placement['method']): Placement {
    const county = this.countyOf(municipality.number) ?? { number: municipality.number.slice(0, 2), name: '?' };
    return { municipality, county, method };
  }
}

const cellKey = (cx: number, cy: number) => cx * 100_000 + cy;

/** Even-odd ray casting over every ring (holes included). */
function inside(rings: readonly Float64Array[], x: number, y: number): boolean {
  let c = false;
  for (const r of rings) {
    const n = r.length;
    for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
      const yi = r[i + 1]!;
      const yj = r[j + 1]!;
      if ((yi > y) !== (yj > y) && x < ((r[j]! - r[i]!) * (y - yi)) / (yj - yi) + r[i]!) c = !c;
    }
  }
  return c;
}

/** Smallest distance in degrees (longitude scaled by cos(lat)) from the point to any edge. */
function edgeDistance(rings: readonly Float64Array[], x: number, y: number): number {
  const k = Math.cos((y * Math.PI) / 180);
  let best = Infinity;
  for (const r of rings) {
    for (let i = 2; i < r.length; i += 2) {
      const ax = r[i - 2]! * k, ay = r[i - 1]!, bx = r[i]! * k, by = r[i + 1]!;
      const px = x * k, py = y;
      const dx = bx - ax, dy = by - ay;
      const len = dx * dx + dy * dy;
      const t = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len));
      const ex = ax + t * dx - px, ey = ay + t * dy - py;
      best = Math.min(best, Math.sqrt(ex * ex + ey * ey));
    }
  }
  return best;
}
