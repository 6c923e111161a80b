//! Who may connect: the relay's caps on open connections, in all and per IP address, and the
//! message bucket that all WebSocket connections of one address share.
//!
//! Every accepted TCP connection asks the [`Gate`] for a [`Pass`] before a byte of it is read,
//! and holds the pass until it closes (a WebSocket takes it over from its HTTP request). Without
//! a cap, silent connections alone exhaust the process's file descriptors and lock everyone out,
//! `/healthz` included; without a per-address cap, one machine can take every slot.
//!
//! IPv6 addresses are grouped by their /64 prefix, the block one subscriber usually gets: counting
//! single addresses would let one host open a slot per address of its block.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::limits::RateLimiter;

/// The connection caps and who holds a slot.
#[derive(Debug)]
pub struct Gate {
    max_connections: usize,
    /// 0: no per-address cap.
    max_per_address: usize,
    messages_per_second_per_address: f64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    open: usize,
    by_address: HashMap<IpAddr, Address>,
}

#[derive(Debug)]
struct Address {
    open: usize,
    bucket: Arc<Mutex<RateLimiter>>,
}

/// A slot held by one connection; dropping it frees the slot.
#[derive(Debug)]
pub struct Pass {
    gate: Arc<Gate>,
    address: IpAddr,
    /// Messages from every connection of this address, shared between them.
    bucket: Arc<Mutex<RateLimiter>>,
}

/// Why a connection was turned away; the text is what the client is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error(
        "the relay has {limit} open connections, its limit (--max-connections); try again soon"
    )]
    Full { limit: usize },
    #[error(
        "{limit} connections are open from your address, its limit \
         (--max-connections-per-address); close some and try again"
    )]
    FromAddress { limit: usize },
}

impl Gate {
    pub fn new(
        max_connections: usize,
        max_per_address: usize,
        messages_per_second_per_address: f64,
    ) -> Arc<Self> {
        Arc::new(Gate {
            max_connections,
            max_per_address,
            messages_per_second_per_address,
            state: Mutex::new(State::default()),
        })
    }

    /// A slot for a connection from `ip` opened at `now_ms`, if the caps allow one.
    pub fn admit(self: &Arc<Self>, ip: IpAddr, now_ms: u64) -> Result<Pass, Refused> {
        let address = group(ip);
        let mut state = self.state();
        if state.open >= self.max_connections {
            return Err(Refused::Full {
                limit: self.max_connections,
            });
        }
        let rate = self.messages_per_second_per_address;
        let entry = state.by_address.entry(address).or_insert_with(|| Address {
            open: 0,
            bucket: Arc::new(Mutex::new(RateLimiter::new(rate, rate * 5.0, now_ms))),
        });
        if self.max_per_address > 0 && entry.open >= self.max_per_address {
            return Err(Refused::FromAddress {
                limit: self.max_per_address,
            });
        }
        entry.open += 1;
        let bucket = Arc::clone(&entry.bucket);
        state.open += 1;
        Ok(Pass {
            gate: Arc::clone(self),
            address,
            bucket,
        })
    }

    /// Connections holding a slot now.
    pub fn open(&self) -> usize {
        self.state().open
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every update leaves the counts consistent, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Pass {
    /// Spends one message from the address's shared bucket at `now_ms`, or says how many
    /// milliseconds until one is there.
    pub fn take_message(&self, now_ms: u64) -> Result<(), u64> {
        self.bucket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take_at(1.0, now_ms)
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut state = self.gate.state();
        state.open = state.open.saturating_sub(1);
        if let Some(entry) = state.by_address.get_mut(&self.address) {
            entry.open = entry.open.saturating_sub(1);
            // The bucket goes with the last connection: an address that comes back later starts
            // full, which is at most one burst more than staying would have allowed.
            if entry.open == 0 {
                state.by_address.remove(&self.address);
            }
        }
    }
}

/// The key an address is counted under: IPv4 as it is (IPv4-mapped IPv6 included), IPv6 by /64.
fn group(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    #[test]
    fn caps_in_all_and_per_address_and_slots_come_back() {
        let gate = Gate::new(3, 2, 10.0);
        let a1 = gate.admit(ip("10.0.0.1"), 0).expect("first");
        let _a2 = gate
            .admit(ip("::ffff:10.0.0.1"), 0)
            .expect("second, same address");
        assert_eq!(
            gate.admit(ip("10.0.0.1"), 0).err(),
            Some(Refused::FromAddress { limit: 2 })
        );
        let _b = gate.admit(ip("10.0.0.2"), 0).expect("another address");
        assert_eq!(
            gate.admit(ip("10.0.0.3"), 0).err(),
            Some(Refused::Full { limit: 3 })
        );
        drop(a1);
        assert_eq!(gate.open(), 2);
        gate.admit(ip("10.0.0.1"), 0).expect("a slot came back");
    }

    #[test]
    fn ipv6_counts_by_its_64_prefix() {
        let gate = Gate::new(100, 1, 10.0);
        let _a = gate.admit(ip("2001:db8:1:2::1"), 0).expect("first");
        assert!(gate.admit(ip("2001:db8:1:2:ffff::9"), 0).is_err());
        assert!(gate.admit(ip("2001:db8:1:3::1"), 0).is_ok());
    }

    #[test]
    fn connections_of_one_address_share_its_bucket() {
        let gate = Gate::new(100, 0, 1.0);
        let a = gate.admit(ip("10.0.0.1"), 0).expect("a");
        let b = gate.admit(ip("10.0.0.1"), 0).expect("b");
        let sent = (0..20)
            .filter(|i| if i % 2 == 0 { &a } else { &b }.take_message(0).is_ok())
            .count();
        assert_eq!(sent, 5, "one burst for the address, however many sockets");
    }
}
