//! Whose ground each road runs over, in order, and the crossing rule that follows from it.
//!
//! Every edge gets the sequence of grounds its shape passes (sampled every ≤ 25 m, end points
//! included, repeats merged): `[nobody]`, `[gov]`, `[opp, nobody, gov]`, … An arc walks that
//! sequence forwards or backwards. The rule (DESIGN.md, "Scenario format"):
//! - only **entering** ground hostile to the traveller needs a declared crossing; leaving hostile
//!   ground for own, allied or unclaimed ground does not;
//! - a traveller of no party may not go from one party's ground into a hostile party's ground
//!   except at a crossing, also when unclaimed ground lies between them. The state "last party
//!   ground held" is exact along an edge; on unclaimed ground between edges it is the set of
//!   parties whose ground borders that stretch of unclaimed road network (its *region*): a
//!   traveller there counts as coming from any of them. This is conservative: going from a
//!   party's ground into a no-man's land and back into the same party's ground needs a crossing
//!   too when the no-man's land also borders a party hostile to it. That per-arc rule is what
//!   weights, isochrones and hierarchies use; the *exact* rule carries the last party's ground
//!   held as a search state ([`EdgeGround::walk_neutral`], searched on the product of nodes ×
//!   states by `crate::neutral`), and is what `route --side neutral` answers with.

use crate::model::Scenario;

/// Ground code: 0 = nobody's, 1 + p = party p's.
pub(crate) type GroundCode = u8;

pub(crate) const NOBODY: GroundCode = 0;

/// The bit of a ground code in a ground set (bit 0 = nobody, bit 1 + p = party p).
pub(crate) fn ground_bit(code: GroundCode) -> u64 {
    1 << code
}

/// Per-edge ground sequences and the unclaimed regions between them.
#[derive(Clone)]
pub(crate) struct EdgeGround {
    /// Edge e's grounds are `runs[first[e]..first[e + 1]]`, from its `from` node to its `to`.
    first: Vec<u32>,
    runs: Vec<GroundCode>,
    /// Per node: the unclaimed region it belongs to (`u32::MAX` on a party's ground).
    region_of: Vec<u32>,
    /// Per region: the parties (ground bits) whose ground borders it.
    region_parties: Vec<u64>,
    /// Per party: the ground bits of the parties hostile to it.
    hostile_to: Vec<u64>,
}

impl EdgeGround {
    /// Builds the index from each edge's sequence of sampled grounds (not yet deduplicated) and
    /// the edges' end nodes.
    pub(crate) fn new(
        s: &Scenario,
        node_count: usize,
        ends: impl Fn(u32) -> (u32, u32),
        sequences: Vec<Vec<GroundCode>>,
    ) -> EdgeGround {
        let mut first = Vec::with_capacity(sequences.len() + 1);
        let mut runs = Vec::new();
        first.push(0);
        for mut seq in sequences {
            seq.dedup();
            runs.extend(seq);
            first.push(runs.len() as u32);
        }
        let np = s.parties.len();
        let hostile_to = (0..np)
            .map(|p| {
                (0..np)
                    .filter(|&q| s.hostile(p, q))
                    .fold(0u64, |m, q| m | ground_bit(1 + q as u8))
            })
            .collect();
        let mut eg = EdgeGround {
            first,
            runs,
            region_of: Vec::new(),
            region_parties: Vec::new(),
            hostile_to,
        };
        eg.find_regions(node_count, ends);
        eg
    }

    pub(crate) fn edge(&self, e: u32) -> &[GroundCode] {
        &self.runs[self.first[e as usize] as usize..self.first[e as usize + 1] as usize]
    }

    /// The ground set an edge touches (bit 0 = nobody's, bit 1 + p = party p's).
    pub(crate) fn mask(&self, e: u32) -> u64 {
        self.edge(e).iter().fold(0, |m, &c| m | ground_bit(c))
    }

    /// Whether the ground changes along the edge.
    pub(crate) fn changes(&self, e: u32) -> bool {
        self.edge(e).len() > 1
    }

    /// Unclaimed regions: nodes on nobody's ground joined by edges wholly on nobody's ground
    /// (union–find), each with the parties whose ground its edges reach.
    fn find_regions(&mut self, n: usize, ends: impl Fn(u32) -> (u32, u32)) {
        let m = self.first.len() - 1;
        let mut node_code = vec![NOBODY; n];
        for e in 0..m as u32 {
            let (a, b) = ends(e);
            let r = self.edge(e);
            node_code[a as usize] = r[0];
            node_code[b as usize] = r[r.len() - 1];
        }
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn root(parent: &mut [u32], mut v: u32) -> u32 {
            while parent[v as usize] != v {
                parent[v as usize] = parent[parent[v as usize] as usize];
                v = parent[v as usize];
            }
            v
        }
        for e in 0..m as u32 {
            if self.edge(e) == [NOBODY] {
                let (a, b) = ends(e);
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra as usize] = rb;
            }
        }
        let mut region_of = vec![u32::MAX; n];
        let mut id_of_root = vec![u32::MAX; n];
        let mut count = 0u32;
        for v in 0..n as u32 {
            if node_code[v as usize] != NOBODY {
                continue;
            }
            let r = root(&mut parent, v) as usize;
            if id_of_root[r] == u32::MAX {
                id_of_root[r] = count;
                count += 1;
            }
            region_of[v as usize] = id_of_root[r];
        }
        let mut region_parties = vec![0u64; count as usize];
        for e in 0..m as u32 {
            let parties = self.mask(e) & !ground_bit(NOBODY);
            let (a, b) = ends(e);
            for v in [a, b] {
                if region_of[v as usize] != u32::MAX {
                    region_parties[region_of[v as usize] as usize] |= parties;
                }
            }
        }
        self.region_of = region_of;
        self.region_parties = region_parties;
    }

    /// The parties (ground bits) whose ground an arc along edge `e` (backwards if `reversed`)
    /// enters against the rule for a traveller of `party` (`None`: of no party), starting from
    /// node `tail`. Empty (0) for an arc that needs no crossing.
    pub(crate) fn forbidden_entries(
        &self,
        e: u32,
        reversed: bool,
        tail: u32,
        party: Option<usize>,
    ) -> u64 {
        let runs = self.edge(e);
        if runs.len() == 1 {
            return 0;
        }
        let at = |i: usize| {
            if reversed {
                runs[runs.len() - 1 - i]
            } else {
                runs[i]
            }
        };
        // Parties whose ground the traveller may have held last.
        let mut last = match at(0) {
            NOBODY => self
                .region_of
                .get(tail as usize)
                .and_then(|&r| self.region_parties.get(r as usize))
                .copied()
                .unwrap_or(0),
            c => ground_bit(c),
        };
        let mut out = 0;
        for i in 1..runs.len() {
            let c = at(i);
            if c == NOBODY {
                continue;
            }
            let hostile_to_entered = self.hostile_to[c as usize - 1];
            let needs_crossing = match party {
                Some(q) => hostile_to_entered & ground_bit(1 + q as u8) != 0,
                None => last & hostile_to_entered != 0,
            };
            if needs_crossing {
                out |= ground_bit(c);
            }
            last = ground_bit(c);
        }
        out
    }

    /// The exact crossing rule for a traveller of no party, over the runs `runs` (indices in
    /// walk order) of an arc along edge `e` (backwards if `reversed`), holding `last` (the last
    /// party's ground held, `NOBODY`: none yet). Returns the state after the walk and the
    /// grounds entered against the rule (0: none).
    pub(crate) fn walk_neutral(
        &self,
        e: u32,
        reversed: bool,
        runs: std::ops::Range<usize>,
        mut last: GroundCode,
    ) -> (GroundCode, u64) {
        let seq = self.edge(e);
        let mut out = 0;
        for i in runs {
            let c = if reversed {
                seq[seq.len() - 1 - i]
            } else {
                seq[i]
            };
            if c == NOBODY {
                continue;
            }
            if last != NOBODY && self.hostile_to[c as usize - 1] & ground_bit(last) != 0 {
                out |= ground_bit(c);
            }
            last = c;
        }
        (last, out)
    }

    /// How many runs an edge has.
    pub(crate) fn run_count(&self, e: u32) -> usize {
        self.edge(e).len()
    }

    /// The first (or, with `last`, the last) run in walk order of an arc along `e` whose ground
    /// is `code`: where a snapped point of that ground lies along the arc.
    pub(crate) fn run_of(
        &self,
        e: u32,
        reversed: bool,
        code: GroundCode,
        last: bool,
    ) -> Option<usize> {
        let seq = self.edge(e);
        let walk = |i: usize| {
            if reversed {
                seq[seq.len() - 1 - i]
            } else {
                seq[i]
            }
        };
        let mut hits = (0..seq.len()).filter(|&i| walk(i) == code);
        if last {
            hits.next_back()
        } else {
            hits.next()
        }
    }
}
