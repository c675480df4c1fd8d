//! Which charter version holds. Versions form a chain: the founding one is
//! signed by the founder; each later one names its predecessor by digest
//! and is signed by a maintainer *of that predecessor*, so a maintainer
//! removed in some version can never sign a version after it. A community
//! has one founding version: a second one is refused. When versions
//! conflict on the same predecessor, the branch signed (anywhere along it)
//! by the maintainer listed first among that predecessor's maintainers
//! wins, then the lower digest, so every peer holding the same versions
//! settles on the same charter, and a removed maintainer cannot win a fork
//! against the one who removed them (unless they were listed first), not
//! even by re-signing a version of their own that the removal built on.

use std::collections::BTreeMap;

use super::CommunityId;
use super::charter::{Charter, CharterDigest, digest};
use crate::identity::PublicKey;
use crate::wire::Verified;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharterRefusal {
    #[error("a charter of another community")]
    WrongCommunity,
    #[error("the founding charter must be signed by its founder")]
    NotTheFounder,
    #[error("names a previous version this node does not hold")]
    UnknownPrevious,
    #[error("signed by {0}, who is not a maintainer of the version it replaces")]
    NotAMaintainer(String),
    #[error("version {got} does not follow version {previous}")]
    NotNext { previous: u32, got: u32 },
    #[error("already held")]
    Duplicate,
    #[error("the community was founded already; a founding charter is never replaced")]
    Refounded,
}

/// Whether `candidate` may be stored beside `held` (the versions of
/// community `id` held so far). Checked before anything is stored.
pub fn judge(
    id: &CommunityId,
    held: &[Verified<Charter>],
    candidate: &Verified<Charter>,
) -> Result<(), CharterRefusal> {
    let charter = candidate.value();
    if charter.id() != *id {
        return Err(CharterRefusal::WrongCommunity);
    }
    let own = digest(candidate);
    if held.iter().any(|h| digest(h) == own) {
        return Err(CharterRefusal::Duplicate);
    }
    let Some(previous) = charter.previous else {
        if candidate.author() != charter.founder {
            return Err(CharterRefusal::NotTheFounder);
        }
        // Otherwise the founder (or whoever stole the key) could sign
        // another founding version and cut every later one off.
        if held.iter().any(|h| h.value().previous.is_none()) {
            return Err(CharterRefusal::Refounded);
        }
        return Ok(());
    };
    let parent = held.iter().find(|h| digest(h) == previous).ok_or(CharterRefusal::UnknownPrevious)?;
    follows(parent, candidate)
}

/// Whether `child` may follow `parent` (same community, next number,
/// signed by one of the parent's maintainers).
pub fn follows(parent: &Verified<Charter>, child: &Verified<Charter>) -> Result<(), CharterRefusal> {
    let (p, c) = (parent.value(), child.value());
    if p.id() != c.id() {
        return Err(CharterRefusal::WrongCommunity);
    }
    if c.version != p.version.saturating_add(1) {
        return Err(CharterRefusal::NotNext { previous: p.version, got: c.version });
    }
    if !p.is_maintainer(&child.author()) {
        return Err(CharterRefusal::NotAMaintainer(child.author().fingerprint()));
    }
    Ok(())
}

/// The version of community `id` that holds among `versions` (in any
/// order, possibly with forks and strays), if a founding one is there.
pub fn current<'a>(id: &CommunityId, versions: &'a [Verified<Charter>]) -> Option<&'a Verified<Charter>> {
    chain(id, versions).pop()
}

/// The versions from the founding one to the one that holds.
pub fn chain<'a>(id: &CommunityId, versions: &'a [Verified<Charter>]) -> Vec<&'a Verified<Charter>> {
    let digests: Vec<CharterDigest> = versions.iter().map(digest).collect();
    let mut children: BTreeMap<CharterDigest, Vec<usize>> = BTreeMap::new();
    for (i, v) in versions.iter().enumerate() {
        if let Some(previous) = v.value().previous {
            children.entry(previous).or_default().push(i);
        }
    }
    let genesis = (0..versions.len())
        .filter(|&i| {
            let v = &versions[i];
            v.value().previous.is_none() && v.value().id() == *id && v.author() == v.value().founder
        })
        .min_by_key(|&i| digests[i]);
    let Some(mut at) = genesis else { return Vec::new() };
    let valid_children = |i: usize| -> Vec<usize> {
        children
            .get(&digests[i])
            .into_iter()
            .flatten()
            .copied()
            .filter(|&c| follows(&versions[i], &versions[c]).is_ok())
            .collect()
    };
    let mut chain = vec![&versions[at]];
    // Each step raises the version by one, so this ends.
    loop {
        let parent = versions[at].value();
        // A child ranks by the best-placed maintainer (in the parent's
        // list) who signed it or anything built on it: a maintainer who
        // was removed cannot win by signing a second child of their own,
        // since the branch the remover signed on ranks as the remover.
        let rank = |i: usize| -> (usize, CharterDigest) {
            let mut best = usize::MAX;
            let mut stack = vec![i];
            let mut seen = std::collections::BTreeSet::new();
            while let Some(j) = stack.pop() {
                if !seen.insert(j) {
                    continue;
                }
                best = best.min(precedence(parent, &versions[j].author()));
                stack.extend(valid_children(j));
            }
            (best, digests[i])
        };
        match valid_children(at).into_iter().min_by_key(|&i| rank(i)) {
            Some(i) => {
                at = i;
                chain.push(&versions[at]);
            }
            None => return chain,
        }
    }
}

fn precedence(charter: &Charter, key: &PublicKey) -> usize {
    charter.precedence(key).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::{Admission, Curriculum};
    use crate::identity::Identity;
    use crate::wire::seal;
    use jiff::Timestamp;

    fn who(seed: u8) -> Identity {
        Identity::from_secret_bytes(&[seed; 32])
    }

    fn founding(founder: &Identity, maintainers: &[&Identity]) -> Verified<Charter> {
        let charter = Charter {
            founder: founder.public(),
            nonce: [9; 16],
            version: 1,
            previous: None,
            name: "Rust Berlin".into(),
            description: "Learning Rust together.".into(),
            languages: vec!["en".into(), "de".into()],
            rules: vec!["Be kind.".into()],
            maintainers: maintainers.iter().map(|m| m.public()).collect(),
            admission: Admission::Open,
            curriculum: Curriculum::default(),
        };
        seal(founder, &charter, Timestamp::UNIX_EPOCH).unwrap()
    }

    fn next(by: &Identity, parent: &Verified<Charter>, edit: impl FnOnce(&mut Charter)) -> Verified<Charter> {
        let mut charter = Charter::next_of(parent);
        edit(&mut charter);
        seal(by, &charter, Timestamp::UNIX_EPOCH).unwrap()
    }

    #[test]
    fn the_founding_charter_is_the_founders_and_nobody_squats_its_id() {
        let (ada, eve) = (who(1), who(2));
        let v1 = founding(&ada, &[&ada]);
        let id = v1.value().id();
        assert_eq!(judge(&id, &[], &v1), Ok(()));
        // Eve copies the charter (same founder and nonce) and signs it herself.
        let squat = seal(&eve, v1.value(), Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(judge(&id, &[], &squat), Err(CharterRefusal::NotTheFounder));
        assert!(current(&id, std::slice::from_ref(&squat)).is_none());
        // Eve's own charter of the same name is another community.
        let hers = founding(&eve, &[&eve]);
        assert_eq!(judge(&id, &[], &hers), Err(CharterRefusal::WrongCommunity));
    }

    #[test]
    fn a_maintainer_publishes_versions_and_a_removed_one_is_refused() {
        let (ada, mo, eve) = (who(1), who(2), who(3));
        let v1 = founding(&ada, &[&ada, &mo]);
        let id = v1.value().id();
        let v2 = next(&mo, &v1, |c| c.description = "By Mo.".into());
        assert_eq!(judge(&id, std::slice::from_ref(&v1), &v2), Ok(()));
        let v3 = next(&ada, &v2, |c| c.maintainers = vec![ada.public()]);
        let held = vec![v1.clone(), v2.clone(), v3.clone()];
        assert_eq!(current(&id, &held).unwrap().value().version, 3);
        // Mo, removed in version 3, signs a version 4.
        let late = next(&mo, &v3, |c| c.name = "Mo's now".into());
        assert!(matches!(judge(&id, &held, &late), Err(CharterRefusal::NotAMaintainer(_))));
        // Eve never was one.
        let stranger = next(&eve, &v1, |_| {});
        assert!(matches!(judge(&id, &held, &stranger), Err(CharterRefusal::NotAMaintainer(_))));
        // Stored anyway (by a careless peer), they change nothing.
        let mut all = held.clone();
        all.extend([late, stranger]);
        assert_eq!(digest(current(&id, &all).unwrap()), digest(&v3));
        // Skipping numbers, or naming a version never seen, is refused.
        let skip = {
            let mut c = Charter::next_of(&v3);
            c.version = 9;
            seal(&ada, &c, Timestamp::UNIX_EPOCH).unwrap()
        };
        assert_eq!(judge(&id, &held, &skip), Err(CharterRefusal::NotNext { previous: 3, got: 9 }));
        let orphan = next(&ada, &next(&ada, &v3, |_| {}), |_| {});
        assert_eq!(judge(&id, &held, &orphan), Err(CharterRefusal::UnknownPrevious));
        assert_eq!(judge(&id, &held, &v2), Err(CharterRefusal::Duplicate));
    }

    #[test]
    fn a_removed_maintainer_forking_the_past_loses_to_the_one_listed_first() {
        let (ada, mo) = (who(1), who(2));
        let v1 = founding(&ada, &[&ada, &mo]);
        let id = v1.value().id();
        let removal = next(&ada, &v1, |c| c.maintainers = vec![ada.public()]);
        // Mo, seeing it coming, forks version 1 and keeps going alone.
        let fork2 = next(&mo, &v1, |c| c.name = "Mo's Rust".into());
        let fork3 = next(&mo, &fork2, |c| c.name = "Mo's Rust, longer".into());
        let fork4 = next(&mo, &fork3, |_| {});
        for order in [
            vec![&v1, &removal, &fork2, &fork3, &fork4],
            vec![&fork4, &fork3, &fork2, &removal, &v1],
            vec![&fork2, &v1, &fork4, &removal, &fork3],
        ] {
            let versions: Vec<_> = order.into_iter().cloned().collect();
            assert_eq!(digest(current(&id, &versions).unwrap()), digest(&removal), "a longer fork does not win");
        }
        // Until the removal arrives, Mo's fork holds; then the removal does.
        let before = vec![v1.clone(), fork2.clone(), fork3.clone()];
        assert_eq!(current(&id, &before).unwrap().value().version, 3);
    }

    #[test]
    fn a_removed_maintainer_re_signing_their_own_version_does_not_win() {
        let (ada, mo) = (who(1), who(2));
        let v1 = founding(&ada, &[&ada, &mo]);
        let id = v1.value().id();
        // Mo publishes version 2; Ada removes him in version 3 on top of it.
        let mos = next(&mo, &v1, |c| c.description = "By Mo.".into());
        let removal = next(&ada, &mos, |c| c.maintainers = vec![ada.public()]);
        // Mo signs other versions 2 (on version 1) until one has a lower
        // digest than his first: only the digest would tell them apart.
        let mut twins = Vec::new();
        for n in 0..8 {
            twins.push(next(&mo, &v1, |c| c.description = format!("By Mo, again {n}.")));
        }
        let mut all = vec![v1.clone(), mos.clone(), removal.clone()];
        all.extend(twins);
        assert_eq!(digest(current(&id, &all).unwrap()), digest(&removal), "the removal's branch ranks as Ada");
    }

    #[test]
    fn a_founding_version_is_never_replaced() {
        let ada = who(1);
        let v1 = founding(&ada, &[&ada]);
        let id = v1.value().id();
        let mut other = v1.value().clone();
        other.maintainers = vec![who(5).public()];
        let refounded = seal(&ada, &other, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(refounded.value().id(), id);
        assert_eq!(judge(&id, std::slice::from_ref(&v1), &refounded), Err(CharterRefusal::Refounded));
    }
}
