// verify.js: checks a revealed draw (lighten-draw-v1) in the browser.
//
// An independent implementation of the algorithm written out in
// docs/visits.md ("The draw"), sharing no code with the server: SHA-256
// over length-prefixed fields with domain tags, the C2SP chacha8rand
// generator (https://c2sp.org/chacha8rand, as Go's math/rand/v2 ChaCha8),
// unbiased uniform numbers, a partial Fisher–Yates shuffle per tier, teams
// drawn with recusal prefixes, and the selection digest. No libraries, no
// build step. SHA-256 of a pool is the browser's (crypto.subtle) where the
// page is a secure context (https, localhost); the small one below hashes
// the short inputs, and everything where there is no crypto.subtle (plain
// http). 64-bit outputs and their arithmetic are BigInt.
//
// LightenDraw.verify(record) returns a promise of {ok, check, args,
// message}: check names what failed ("version", "invalid", "secret",
// "beacon_missing", "beacon_value", "commitment", "team_short", "digest",
// "selection", "teams_without_size", "teams_count", "team", or "record" for
// a file that is not a draw record), and message says it in English as
// `lighten draw verify` does. A draw committed to a beacon round is checked
// for its round being the committed one and its public value being the
// SHA-256 of the round's signature; the signature itself (BLS12-381, under
// the chain's public key) is not checked here: `lighten draw verify` does,
// and the page says so (an ok result carries beacon: {round, chain}).
// The page's wiring at the end shows the result in the page's language.
(function (root) {
  "use strict";

  var VERSION = "lighten-draw-v1";
  // The beacon chains a draw may commit to, as visits.KnownChains.
  var CHAINS = [{
    name: "drand quicknet",
    chain: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    scheme: "bls-unchained-g1-rfc9380",
    publicKey: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    genesis: 1692803367,
    period: 3
  }];
  var encoder = new TextEncoder();
  function utf8(s) { return encoder.encode(s); }

  // ---- SHA-256 (FIPS 180-4), for pages without crypto.subtle ----

  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);

  function sha256Pure(msg) {
    var n = msg.length;
    var total = Math.ceil((n + 9) / 64) * 64;
    var p = new Uint8Array(total);
    p.set(msg);
    p[n] = 0x80;
    var bits = n * 8; // below 2^53
    var dv = new DataView(p.buffer);
    dv.setUint32(total - 8, Math.floor(bits / 0x100000000));
    dv.setUint32(total - 4, bits >>> 0);
    var h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a,
      h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19;
    var w = new Uint32Array(64);
    for (var off = 0; off < total; off += 64) {
      var t, i;
      for (i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
      for (i = 16; i < 64; i++) {
        var x = w[i - 15], y = w[i - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        t = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0;
        d = c; c = b; b = a; a = (t1 + t) | 0;
      }
      h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0;
      h4 = (h4 + e) | 0; h5 = (h5 + f) | 0; h6 = (h6 + g) | 0; h7 = (h7 + h) | 0;
    }
    var out = new Uint8Array(32);
    var ov = new DataView(out.buffer);
    [h0, h1, h2, h3, h4, h5, h6, h7].forEach(function (v, i) { ov.setUint32(4 * i, v >>> 0); });
    return out;
  }

  function subtle() {
    var c = root.crypto;
    return root.isSecureContext && c && c.subtle && c.subtle.digest ? c.subtle : null;
  }

  // sha256 resolves to the 32-byte digest: the browser's for a long input
  // (a pool), the code above for a short one (a seed: thousands of them,
  // each quicker here than a round trip to crypto.subtle) or where the
  // browser has none; opts.pure forces the code above throughout.
  function sha256(bytes, opts) {
    var s = opts && opts.pure || bytes.length < 4096 ? null : subtle();
    if (!s) return Promise.resolve(sha256Pure(bytes));
    return s.digest("SHA-256", bytes).then(function (b) { return new Uint8Array(b); });
  }

  // Fields: each is its length as 8 bytes big-endian, then its bytes,
  // written into one growing buffer (a national pool is over a million).
  function Fields() { this.buf = new Uint8Array(1024); this.n = 0; }
  Fields.prototype.room = function (need) {
    if (this.n + need <= this.buf.length) return;
    var size = this.buf.length * 2;
    while (size < this.n + need) size *= 2;
    var b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.n));
    this.buf = b;
  };
  Fields.prototype.add = function (v) {
    var len, at = this.n;
    if (typeof v === "string") {
      this.room(8 + 3 * v.length); // UTF-8 takes at most 3 bytes per UTF-16 unit
      len = encoder.encodeInto(v, this.buf.subarray(at + 8)).written;
    } else {
      this.room(8 + v.length);
      this.buf.set(v, at + 8);
      len = v.length;
    }
    var hi = Math.floor(len / 0x100000000), lo = len >>> 0, b = this.buf;
    b[at] = hi >>> 24; b[at + 1] = hi >>> 16; b[at + 2] = hi >>> 8; b[at + 3] = hi;
    b[at + 4] = lo >>> 24; b[at + 5] = lo >>> 16; b[at + 6] = lo >>> 8; b[at + 7] = lo;
    this.n = at + 8 + len;
    return this;
  };
  Fields.prototype.bytes = function () { return this.buf.subarray(0, this.n); };
  Fields.prototype.hash = function (opts) { return sha256(this.bytes(), opts); };

  function hex(b) {
    var s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }

  // fromHex decodes hex as Go's hex.DecodeString does (either case), or
  // returns null.
  function fromHex(s) {
    if (typeof s !== "string" || s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
    return out;
  }

  // ---- ChaCha8 as C2SP chacha8rand / Go's math/rand/v2 ----

  // block runs ChaCha8 on four blocks (counters c…c+3) keyed with key
  // (eight 32-bit words) and stores them interleaved as Go does: word w of
  // block b at out[4w+b]. Read as little-endian pairs, out holds the 32
  // uint64s of a refill: uint64 k is out[2k] | out[2k+1] << 32. Words 4–11
  // get the key added back; the others are stored as they are.
  var x = new Uint32Array(16);
  function block(key, out, counter) {
    for (var b = 0; b < 4; b++) {
      x[0] = 0x61707865; x[1] = 0x3320646e; x[2] = 0x79622d32; x[3] = 0x6b206574;
      for (var k = 0; k < 8; k++) x[4 + k] = key[k];
      x[12] = (counter + b) >>> 0; x[13] = 0; x[14] = 0; x[15] = 0;
      for (var r = 0; r < 4; r++) {
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15);
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14);
      }
      for (var w = 0; w < 16; w++) {
        out[4 * w + b] = w >= 4 && w < 12 ? (x[w] + key[w - 4]) >>> 0 : x[w];
      }
    }
  }
  function qr(a, b, c, d) {
    var t;
    x[a] = (x[a] + x[b]) | 0; t = x[d] ^ x[a]; x[d] = (t << 16) | (t >>> 16);
    x[c] = (x[c] + x[d]) | 0; t = x[b] ^ x[c]; x[b] = (t << 12) | (t >>> 20);
    x[a] = (x[a] + x[b]) | 0; t = x[d] ^ x[a]; x[d] = (t << 8) | (t >>> 24);
    x[c] = (x[c] + x[d]) | 0; t = x[b] ^ x[c]; x[b] = (t << 7) | (t >>> 25);
  }

  // ChaCha8 is the generator seeded with 32 bytes: the key is the seed as
  // little-endian words. Each refill makes 32 uint64s; counters run 0, 4,
  // 8, 12; of the fourth refill only 28 are output and its last four
  // become the next key, with the counter back at 0.
  function ChaCha8(seed) {
    var dv = new DataView(seed.buffer, seed.byteOffset, 32);
    this.key = new Uint32Array(8);
    for (var i = 0; i < 8; i++) this.key[i] = dv.getUint32(4 * i, true);
    this.buf = new Uint32Array(64);
    block(this.key, this.buf, 0);
    this.c = 0; this.i = 0; this.n = 32;
  }
  ChaCha8.prototype.refill = function () {
    this.c += 4;
    if (this.c === 16) {
      for (var i = 0; i < 8; i++) this.key[i] = this.buf[56 + i];
      this.c = 0;
    }
    block(this.key, this.buf, this.c);
    this.i = 0;
    this.n = this.c === 12 ? 28 : 32;
  };
  // uint64 returns the next output as a BigInt.
  ChaCha8.prototype.uint64 = function () {
    if (this.i >= this.n) this.refill();
    var k = this.i++;
    return (BigInt(this.buf[2 * k + 1]) << 32n) | BigInt(this.buf[2 * k]);
  };

  var TWO64 = 1n << 64n;

  // uniform is a number in [0, m) without bias: outputs below
  // (2^64 − m) mod m are rejected (and consumed).
  function uniform(r, m) {
    m = BigInt(m);
    var t = (TWO64 - m) % m;
    for (;;) {
      var v = r.uint64();
      if (v >= t) return Number(v % m);
    }
  }

  // partialShuffle draws k of the positions 0…n−1: for i from 0 to k−1,
  // j = i + uniform(n − i), swap positions i and j, take the one now at i.
  function partialShuffle(r, n, k, take) {
    var idx = new Map();
    function at(i) { return idx.has(i) ? idx.get(i) : i; }
    for (var i = 0; i < k; i++) {
      var j = i + uniform(r, n - i);
      var vi = at(i), vj = at(j);
      idx.set(i, vj);
      idx.set(j, vi);
      take(vj);
    }
  }

  // ---- numbers and strings as Go writes and orders them ----

  // formatFloat is Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest
  // decimal that reads back as v, with an exponent (at least two digits)
  // when it is below -4 or at least 6.
  function formatFloat(v) {
    if (v !== v) return "NaN";
    if (v === Infinity) return "+Inf";
    if (v === -Infinity) return "-Inf";
    if (v === 0) return Object.is(v, -0) ? "-0" : "0";
    var neg = v < 0;
    var m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(Math.abs(v)));
    var digits = m[1] + (m[2] || "");
    var dp = m[1].length + (m[3] ? parseInt(m[3], 10) : 0); // decimal point after dp digits
    var lead = /^0*/.exec(digits)[0].length;
    digits = digits.slice(lead).replace(/0+$/, "");
    dp -= lead;
    var exp = dp - 1, s;
    if (exp < -4 || exp >= 6) {
      s = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") +
        (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    } else if (dp <= 0) {
      s = "0." + "0".repeat(-dp) + digits;
    } else if (dp >= digits.length) {
      s = digits + "0".repeat(dp - digits.length);
    } else {
      s = digits.slice(0, dp) + "." + digits.slice(dp);
    }
    return (neg ? "-" : "") + s;
  }

  // compare orders strings by their UTF-8 bytes (Go's string order), that
  // is by code point: UTF-16 units from the surrogates on are moved so
  // that a pair sorts above every other unit.
  function compare(a, b) {
    if (a === b) return 0;
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var ca = a.charCodeAt(i), cb = b.charCodeAt(i);
      if (ca !== cb) return fix(ca) < fix(cb) ? -1 : 1;
    }
    return a.length < b.length ? -1 : 1;
  }
  function fix(u) { return u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u; }

  function sameList(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // ---- the record, read as Go reads it ----

  function NotRecord(detail) { this.detail = detail; }

  // fields reads an object's members by name, as Go's encoding/json with
  // unknown fields refused (names match regardless of case).
  function members(v, where, names) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new NotRecord(where + " is not an object");
    var out = {};
    Object.keys(v).forEach(function (k) {
      var name = k.toLowerCase();
      if (names.indexOf(name) < 0) throw new NotRecord("unknown field " + JSON.stringify(k) + " in " + where);
      out[name] = v[k];
    });
    return out;
  }
  function str(v, where) {
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw new NotRecord(where + " is not a string");
    return v;
  }
  function int(v, where) {
    if (v === undefined || v === null) return 0;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new NotRecord(where + " is not an integer");
    return v;
  }
  function num(v, where) {
    if (v === undefined || v === null) return 0;
    if (typeof v !== "number") throw new NotRecord(where + " is not a number");
    return v;
  }
  // list is null for an absent or null list, as Go's nil slice.
  function list(v, where, item) {
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) throw new NotRecord(where + " is not a list");
    return v.map(function (e, i) { return item(e, where + "[" + i + "]"); });
  }
  function strs(v, where) { return list(v, where, str); }

  function decode(rec) {
    var m = members(rec, "the record", ["version", "plan", "tiers", "min_per_tier", "commitment", "public_value",
      "secret", "selected", "digest", "inspectors", "team_size", "teams", "beacon"]);
    return {
      version: str(m.version, "version"),
      plan: str(m.plan, "plan"),
      tiers: list(m.tiers, "tiers", function (t, where) {
        var tm = t === null ? {} : members(t, where, ["name", "rate", "units"]);
        return { name: str(tm.name, where + ".name"), rate: num(tm.rate, where + ".rate"), units: strs(tm.units, where + ".units") || [] };
      }) || [],
      minPerTier: int(m.min_per_tier, "min_per_tier"),
      commitment: str(m.commitment, "commitment"),
      publicValue: str(m.public_value, "public_value"),
      secret: str(m.secret, "secret"),
      selected: strs(m.selected, "selected"),
      digest: str(m.digest, "digest"),
      inspectors: list(m.inspectors, "inspectors", function (v, where) {
        var im = v === null ? {} : members(v, where, ["id", "recuse"]);
        return { id: str(im.id, where + ".id"), recuse: strs(im.recuse, where + ".recuse") || [] };
      }) || [],
      teamSize: int(m.team_size, "team_size"),
      teams: list(m.teams, "teams", function (v, where) { return strs(v, where) || []; }),
      beacon: m.beacon === undefined || m.beacon === null ? null : (function (b) {
        var bm = members(b, "beacon", ["source", "chain", "scheme", "public_key", "genesis", "period", "round", "signature"]);
        return {
          source: str(bm.source, "beacon.source"), chain: str(bm.chain, "beacon.chain"), scheme: str(bm.scheme, "beacon.scheme"),
          publicKey: str(bm.public_key, "beacon.public_key"), genesis: int(bm.genesis, "beacon.genesis"),
          period: int(bm.period, "beacon.period"), round: int(bm.round, "beacon.round"), signature: str(bm.signature, "beacon.signature")
        };
      })(m.beacon)
    };
  }

  // ---- the draw ----

  function Invalid(field, key, args) { this.field = field; this.key = key; this.args = args; }

  // validate checks the parameters as visits.Draw.Validate does, in the
  // same order, and returns the first problem or null.
  function validate(d) {
    if (d.plan === "") return new Invalid("plan", "draw_plan", []);
    if (d.tiers.length === 0) return new Invalid("tiers", "draw_pool", []);
    var seen = new Set(), i, j;
    for (i = 0; i < d.tiers.length; i++) {
      var t = d.tiers[i], f = "tiers[" + i + "].";
      if (!(t.rate > 0 && t.rate <= 1)) return new Invalid(f + "rate", "draw_tier_rate", [t.name, t.rate]);
      if (seen.has(t.name)) return new Invalid(f + "name", "draw_tier_twice", [t.name]);
      seen.add(t.name);
      for (j = 1; j < t.units.length; j++) {
        if (compare(t.units[j], t.units[j - 1]) <= 0) {
          return new Invalid(f + "units[" + j + "]", "draw_tier_order", [t.name, t.units[j], t.units[j - 1]]);
        }
      }
    }
    if (d.teamSize < 0) return new Invalid("team_size", "team_size", [d.teamSize]);
    if (d.teamSize === 0) {
      return d.inspectors.length > 0 ? new Invalid("team_size", "inspectors_without_team", [d.inspectors.length]) : validateBeacon(d.beacon);
    }
    for (i = 0; i < d.tiers.length; i++) {
      if (d.tiers[i].name.startsWith("team/")) return new Invalid("tiers[" + i + "].name", "tier_team_name", [d.tiers[i].name, "team/"]);
    }
    for (i = 0; i < d.inspectors.length; i++) {
      var ins = d.inspectors[i], g = "inspectors[" + i + "]";
      if (ins.id === "") return new Invalid(g + ".id", "inspector_id", [i + 1]);
      if (i > 0 && compare(ins.id, d.inspectors[i - 1].id) <= 0) return new Invalid(g + ".id", "inspector_order", [ins.id, d.inspectors[i - 1].id]);
      for (j = 0; j < ins.recuse.length; j++) {
        var r = ins.recuse[j];
        if (r === "") return new Invalid(g + ".recuse[" + j + "]", "recuse_empty", [ins.id]);
        if (j > 0 && compare(r, ins.recuse[j - 1]) <= 0) return new Invalid(g + ".recuse[" + j + "]", "recuse_order", [ins.id, r, ins.recuse[j - 1]]);
      }
    }
    return validateBeacon(d.beacon);
  }

  // knownChain is the chain a beacon names, as Beacon.Known.
  function knownChain(b) {
    for (var i = 0; i < CHAINS.length; i++) {
      var c = CHAINS[i];
      if (c.chain === b.chain && c.scheme === b.scheme && c.publicKey === b.publicKey && c.genesis === b.genesis && c.period === b.period) return c;
    }
    return null;
  }

  // validateBeacon checks a beacon's parameters as Beacon.validate does.
  function validateBeacon(b) {
    if (!b) return null;
    if (b.source !== "drand") return new Invalid("beacon.source", "beacon_source", [b.source]);
    if (!knownChain(b)) return new Invalid("beacon.chain", "beacon_chain", [b.chain]);
    if (b.round < 1) return new Invalid("beacon.round", "beacon_round", []);
    return null;
  }

  function poolDigest(d, opts) {
    var f = new Fields().add(VERSION + "/pool").add(d.plan).add(String(d.minPerTier));
    d.tiers.forEach(function (t) {
      f.add(t.name).add(formatFloat(t.rate)).add(String(t.units.length));
      t.units.forEach(function (u) { f.add(u); });
    });
    if (d.teamSize > 0) {
      f.add(VERSION + "/team").add(String(d.teamSize)).add(String(d.inspectors.length));
      d.inspectors.forEach(function (ins) {
        f.add(ins.id).add(String(ins.recuse.length));
        ins.recuse.forEach(function (r) { f.add(r); });
      });
    }
    var b = d.beacon;
    if (b) {
      f.add(VERSION + "/beacon").add(b.source).add(b.chain).add(b.scheme).add(b.publicKey)
        .add(String(b.genesis)).add(String(b.period)).add(String(b.round));
    }
    return f.hash(opts);
  }

  function commit(secret, pool, opts) {
    return new Fields().add(VERSION + "/commit").add(secret).add(pool).hash(opts).then(hex);
  }

  function seed(d, pool, secret, name, opts) {
    return new Fields().add(VERSION + "/seed").add(pool).add(secret).add(d.publicValue).add(name).hash(opts);
  }

  // count is how many of a tier of n are drawn: trunc(rate × n +
  // 0.999999999), at least min_per_tier, at most n.
  function count(d, rate, n) {
    if (n === 0) return 0;
    var k = Math.trunc(rate * n + 0.999999999);
    if (k < d.minPerTier) k = d.minPerTier;
    if (k > n) k = n;
    return k;
  }

  // select draws tier by tier, each with its own stream.
  async function select(d, pool, secret, opts) {
    var out = [];
    for (var i = 0; i < d.tiers.length; i++) {
      var t = d.tiers[i];
      var r = new ChaCha8(await seed(d, pool, secret, t.name, opts));
      partialShuffle(r, t.units.length, count(d, t.rate, t.units.length), function (pos) { out.push(t.units[pos]); });
    }
    return out;
  }

  function TeamShort(unit, eligible, register, size) { this.args = [unit, eligible, register, size]; }

  // selectTeams draws a team for each selected unit from the inspectors
  // none of whose prefixes begins its code, with the stream "team/" + unit.
  async function selectTeams(d, pool, secret, selected, opts) {
    var teams = [];
    for (var i = 0; i < selected.length; i++) {
      var unit = selected[i];
      var eligible = d.inspectors.filter(function (ins) {
        return !ins.recuse.some(function (p) { return unit.startsWith(p); });
      });
      if (eligible.length < d.teamSize) throw new TeamShort(unit, eligible.length, d.inspectors.length, d.teamSize);
      var r = new ChaCha8(await seed(d, pool, secret, "team/" + unit, opts));
      var team = [];
      partialShuffle(r, eligible.length, d.teamSize, function (pos) { team.push(eligible[pos].id); });
      teams.push(team);
    }
    return teams;
  }

  // selectionDigest covers the sorted codes and, with teams, each sorted
  // unit's team.
  function selectionDigest(d, pool, secret, selected, teams, opts) {
    var s = selected.slice().sort(compare);
    var f = new Fields().add(VERSION + "/selection").add(pool).add(d.publicValue).add(secret);
    s.forEach(function (c) { f.add(c); });
    if (d.teamSize > 0) {
      var team = new Map();
      selected.forEach(function (c, i) { if (i < teams.length) team.set(c, teams[i]); });
      f.add(VERSION + "/teams");
      s.forEach(function (c) {
        var m = team.get(c) || [];
        f.add(c).add(String(m.length));
        m.forEach(function (id) { f.add(id); });
      });
    }
    return f.hash(opts).then(hex);
  }

  // ---- messages ----

  // The English of each failure, as visits.Verify and visits.Draw.Validate
  // word it (the page shows its own language's from the catalogue).
  var english = {
    record: "the file is not a draw record: %s",
    version: "version %q, %q expected",
    secret: "the secret is not revealed (hex expected)",
    beacon_missing: "the signature of beacon round %d is not in the record",
    beacon_value: "the public value is not the randomness of beacon round %d (the SHA-256 of its signature)",
    beacon_source: "Unknown source %q of the public value: drand was expected.",
    beacon_chain: "Beacon chain %s (with its public key, genesis and period) is not one lighten knows.",
    beacon_round: "A beacon round counts from 1.",
    commitment: "the secret and the pool do not match the commitment",
    digest: "the recomputed selection does not match the published digest",
    selection: "the published selection differs from the recomputed one",
    teams_without_size: "the record publishes teams but its draw has no team size",
    teams_count: "the record publishes %d teams, the draw makes %d",
    team: "the published team at %s differs from the recomputed one",
    team_short: "Unit %s has only %d eligible inspectors (of %d in the register, after recusals); a team needs %d.",
    draw_plan: "A draw names its plan item.",
    draw_pool: "A draw needs a pool (at least one tier).",
    draw_tier_rate: "Tier %q: share drawn %g should be above 0 and at most 1.",
    draw_tier_twice: "Tier %q appears twice.",
    draw_tier_order: "Tier %q: units should be in code order without repeats (%s after %s).",
    team_size: "The draw's team size %d cannot be negative.",
    inspectors_without_team: "The draw lists %d inspectors but no team size.",
    tier_team_name: "With teams drawn, tier name %q cannot begin with %q.",
    inspector_id: "The draw's inspector %d has no register number.",
    inspector_order: "Inspectors should be in ascending register number order without repeats (%s after %s).",
    recuse_empty: "Inspector %s has an empty recusal code.",
    recuse_order: "Inspector %s's recusal codes should be ascending without repeats (%s after %s)."
  };

  // format fills a catalogue string's %s, %q, %d and %g (and %[n]…) with
  // args, as Go's fmt does for these.
  function format(s, args) {
    var next = 0;
    return String(s).replace(/%(?:\[(\d+)\])?([sqdg%])/g, function (all, n, verb) {
      if (verb === "%") return "%";
      if (n) next = parseInt(n, 10) - 1;
      var v = args[next++];
      if (v === undefined) return all;
      if (verb === "q") return JSON.stringify(String(v));
      if (verb === "g") return formatFloat(v);
      return String(v);
    });
  }

  function failure(check, args, detail) {
    var res = { ok: false, check: check, args: args || [] };
    if (detail) {
      res.key = detail.key;
      res.field = detail.field;
      res.detailArgs = detail.args;
      var what = format(english[detail.key], detail.args);
      res.message = "draw does not verify: " + (detail.field ? detail.field + ": " : "") + what;
    } else {
      res.message = (check === "record" ? "" : "draw does not verify: ") + format(english[check], res.args);
    }
    return res;
  }

  // verify recomputes a revealed draw from its record (a parsed JSON
  // object) and resolves to {ok, check, args, message}; ok results also
  // carry the recomputed selected and teams. opts.pure uses the SHA-256
  // above even where the browser has its own.
  async function verify(record, opts) {
    var d;
    try {
      d = decode(record);
    } catch (e) {
      if (e instanceof NotRecord) return failure("record", [e.detail]);
      throw e;
    }
    if (d.version !== VERSION) return failure("version", [d.version, VERSION]);
    var bad = validate(d);
    if (bad) return failure("invalid", [], bad);
    if (d.beacon) {
      if (d.beacon.signature === "") return failure("beacon_missing", [d.beacon.round]);
      var sig = fromHex(d.beacon.signature);
      if (!sig || d.beacon.signature.length !== 96 || hex(await sha256(sig, opts)) !== d.publicValue) {
        return failure("beacon_value", [d.beacon.round]);
      }
    }
    var secret = fromHex(d.secret);
    if (!secret || secret.length === 0) return failure("secret");
    var pool = await poolDigest(d, opts);
    if ((await commit(secret, pool, opts)) !== d.commitment) return failure("commitment");
    var sel = await select(d, pool, secret, opts);
    var teams = null;
    if (d.teamSize > 0) {
      try {
        teams = await selectTeams(d, pool, secret, sel, opts);
      } catch (e) {
        if (e instanceof TeamShort) return failure("team_short", [], { field: "inspectors", key: "team_short", args: e.args });
        throw e;
      }
    }
    if ((await selectionDigest(d, pool, secret, sel, teams || [], opts)) !== d.digest) return failure("digest");
    if (d.selected !== null && !sameList(sel, d.selected)) return failure("selection");
    if (d.teamSize <= 0 && d.teams !== null) return failure("teams_without_size");
    if (d.teams !== null) {
      if (d.teams.length !== teams.length) return failure("teams_count", [d.teams.length, teams.length]);
      for (var i = 0; i < teams.length; i++) {
        if (!sameList(teams[i], d.teams[i])) return failure("team", [sel[i]]);
      }
    }
    var pooled = d.tiers.reduce(function (n, t) { return n + t.units.length; }, 0);
    return {
      ok: true, check: "ok", args: [sel.length, d.plan], teamSize: d.teamSize, selected: sel, teams: teams,
      beacon: d.beacon ? { round: d.beacon.round, chain: knownChain(d.beacon).name } : null,
      message: "verified: plan " + JSON.stringify(d.plan) + ", " + sel.length + " of " + pooled + " units drawn, selection digest " + d.digest
    };
  }

  root.LightenDraw = {
    verify: verify,
    // Exposed for tests against Go's own outputs.
    ChaCha8: ChaCha8,
    sha256: sha256,
    sha256Pure: sha256Pure,
    formatFloat: formatFloat,
    compare: compare,
    format: format
  };

  // ---- the public draw page ----
  //
  // The section [data-verify] holds the page's strings in data attributes
  // (data-m-… for the results, data-e-… for the parameters' errors, from the
  // catalogue in the page's language), the record's address in
  // data-record when it is revealed, a button [data-verify-fetch], a file
  // input [data-verify-file] and the output [data-verify-result]. It stays
  // hidden where this script cannot run.
  function wire() {
    var box = root.document && document.querySelector("[data-verify]");
    if (!box || typeof BigInt !== "function" || typeof TextEncoder !== "function") return;
    var out = box.querySelector("[data-verify-result]");
    var button = box.querySelector("[data-verify-fetch]");
    var file = box.querySelector("[data-verify-file]");
    function say(name) { return box.getAttribute("data-m-" + name) || ""; }

    function show(state, message) {
      out.hidden = false;
      out.className = state === "ok" ? "done" : state === "fail" ? "error" : "note";
      out.setAttribute("data-state", state);
      out.textContent = message;
    }
    function reason(res) {
      if (res.check === "invalid" || res.check === "team_short") {
        var e = box.getAttribute("data-e-" + res.key);
        var what = e ? format(e, res.detailArgs) : format(english[res.key], res.detailArgs);
        return res.check === "invalid" ? format(say("invalid"), [what]) : what;
      }
      var s = say(res.check);
      return s ? format(s, res.args) : res.message;
    }
    function report(res) {
      if (res.ok) {
        var msg = format(say(res.teamSize > 0 ? "ok_teams" : "ok"), res.args);
        if (res.beacon) msg += " " + format(say("ok_beacon"), [res.beacon.chain, res.beacon.round]);
        else msg += " " + say("ok_by_hand");
        show("ok", msg);
      } else {
        show("fail", format(say("failed"), [reason(res)]));
      }
    }
    function parse(text) {
      try {
        return JSON.parse(text);
      } catch (err) {
        var e = new Error(err.message);
        e.parsed = true;
        throw e;
      }
    }
    function run(getRecord) {
      show("running", say("running"));
      if (button) button.disabled = true;
      Promise.resolve().then(getRecord).then(function (rec) { return verify(rec); }).then(report, function (e) {
        var why = e && e.fetched ? say("fetch") : e && e.parsed ? format(say("record"), [e.message]) : String(e && e.message || e);
        show("fail", format(say("failed"), [why]));
      }).then(function () { if (button) button.disabled = false; });
    }

    box.hidden = false;
    if (button && box.getAttribute("data-record")) {
      button.addEventListener("click", function () {
        run(function () {
          return fetch(box.getAttribute("data-record"), { credentials: "same-origin", cache: "no-store" }).then(function (r) {
            if (!r.ok) { var e = new Error("HTTP " + r.status); e.fetched = true; throw e; }
            return r.text().then(parse);
          }, function (err) { var e = new Error(String(err)); e.fetched = true; throw e; });
        });
      });
    }
    if (file) {
      file.addEventListener("change", function () {
        var f = file.files && file.files[0];
        if (!f) return;
        run(function () { return f.text().then(parse); });
      });
    }
  }

  if (root.document) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
    else wire();
  }
})(typeof window !== "undefined" ? window : globalThis);
