/**
 * The cross-matching rules (issue 14 §2) as SQL, one statement per rule family, so an expert can read
 * each condition. Parameters: :run, :w (window, ms), :up (deliveries up to this id), :maxdur (longest session, ms).
 *
 * A source record at time t matches a delivery [started, ended] when t is within [started - w, ended + w].
 * Ports (RFC 6302: behind carrier-grade NAT one IPv4 address is many subscribers, told apart by port):
 * when the source gives a port it must equal our connection's source port or the peer's listen port;
 * a source without a port matches on IP and time alone, and the rule says so.
 * CROSS JOIN makes SQLite read the imported records first and probe deliveries by (remote_ip, started_at).
 */

const COMPLETE = "(SELECT id FROM source_imports WHERE status = 'complete')";
const DELTA = (t: string, start: string, end: string) => `CASE WHEN ${t} < ${start} THEN ${t} - ${start} WHEN ${t} > ${end} THEN ${t} - ${end} ELSE 0 END`;
const CONTINUITY = (a: string, b: string) => `CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN 'unknown' WHEN ${a} = ${b} THEN 'same' ELSE 'different' END`;

const byIp = `
  INSERT INTO source_matches (run_id, rule, source_record_id, other_kind, other_id, ip, delta_ms, peer_id_continuity)
  SELECT :run,
    CASE WHEN s.port IS NULL THEN 'ip+time (no port)' WHEN s.port = d.remote_port THEN 'ip+remote-port+time' ELSE 'ip+listen-port+time' END,
    s.id, 'delivery', d.id, d.remote_ip, ${DELTA('s.at', 'd.started_at', 'd.ended_at')}, ${CONTINUITY('s.peer_id', 'd.peer_id')}
  FROM source_records s CROSS JOIN deliveries d
  WHERE +s.import_id IN ${COMPLETE}
    AND d.remote_ip = s.ip
    AND d.started_at BETWEEN s.at - :w - :maxdur AND s.at + :w
    AND d.ended_at >= s.at - :w
    AND d.id <= :up
    AND (s.port IS NULL OR s.port = d.remote_port OR s.port = d.listen_port)`;

/** Peer-id continuity across addresses: the same peer id at another IP (same-IP pairs are byIp's, with continuity 'same'). */
const byPeerId = `
  INSERT INTO source_matches (run_id, rule, source_record_id, other_kind, other_id, ip, delta_ms, peer_id_continuity)
  SELECT :run, 'peer-id+time', s.id, 'delivery', d.id, d.remote_ip, ${DELTA('s.at', 'd.started_at', 'd.ended_at')}, 'same'
  FROM deliveries d CROSS JOIN source_records s
  WHERE d.id <= :up
    AND s.peer_id = d.peer_id
    AND s.import_id IN ${COMPLETE}
    AND s.ip <> d.remote_ip
    AND s.at BETWEEN d.started_at - :w AND d.ended_at + :w`;

/**
 * Two imports that saw the same IP (and port, when both give one) within the window. Each pair once: the
 * lower import on the left. The unary + keeps SQLite off the import index for b, so it builds a transient
 * index on b's IP once per run (AUTOMATIC COVERING INDEX) instead of scanning every record for each record.
 */
const sourceToSource = `
  INSERT INTO source_matches (run_id, rule, source_record_id, other_kind, other_id, ip, delta_ms, peer_id_continuity)
  SELECT :run, CASE WHEN a.port IS NULL OR b.port IS NULL THEN 'ip+time (no port)' ELSE 'ip+port+time' END,
    a.id, 'source', b.id, a.ip, a.at - b.at, ${CONTINUITY('a.peer_id', 'b.peer_id')}
  FROM source_records a CROSS JOIN source_records b
  WHERE a.import_id IN ${COMPLETE} AND +b.import_id IN ${COMPLETE}
    AND b.ip = a.ip AND b.at BETWEEN a.at - :w AND a.at + :w
    AND +b.import_id > a.import_id
    AND (a.port IS NULL OR b.port IS NULL OR a.port = b.port)`;

/**
 * A run's matches with both sides spelled out. One address's (`?ip=`, the web app's risk working and
 * `/api/sources/matches?ip=`): the unary + keeps SQLite from walking the whole run in source_matches_run's
 * order to skip the sort, and makes it take the address's rows from source_matches_ip, then sort those.
 * Target (issue 13 benchmarks): API p95 <= 100 ms; at 1,000,000 deliveries (456,851 matches) 48 ms CPU
 * a query before, 0.4 ms after (test/unit/store/source-matches-plan.test.ts holds the plan).
 */
const list = (byIpFilter: boolean) => `
  SELECT m.rule, m.source_record_id, m.other_kind, m.other_id, m.delta_ms, m.peer_id_continuity,
    s.import_id, i.source, i.reliability, i.credibility, s.line, s.reference, s.ip AS s_ip, s.port AS s_port, s.at AS s_at,
    CASE m.other_kind WHEN 'delivery' THEN COALESCE(d.network, 'bittorrent') ELSE oi.source END AS o_network,
    COALESCE(d.remote_ip, o.ip) AS o_ip,
    CASE m.other_kind WHEN 'delivery' THEN d.remote_port ELSE o.port END AS o_port,
    COALESCE(d.started_at, o.at) AS o_start, COALESCE(d.ended_at, o.at) AS o_end
  FROM source_matches m
  JOIN source_records s ON s.id = m.source_record_id
  JOIN source_imports i ON i.id = s.import_id
  LEFT JOIN deliveries d ON m.other_kind = 'delivery' AND d.id = m.other_id
  LEFT JOIN source_records o ON m.other_kind = 'source' AND o.id = m.other_id
  LEFT JOIN source_imports oi ON oi.id = o.import_id
  WHERE m.run_id = ?${byIpFilter ? ' AND m.ip = ?' : ''}
  ORDER BY ${byIpFilter ? '+' : ''}m.source_record_id, m.other_kind, m.other_id
  LIMIT ?`;

export const matchSql = { byIp, byPeerId, sourceToSource, list } as const;
