//! The made-up names of the synthetic authority's children, workers and auditors.

// Surnames nobody has, so a synthetic file can never be mistaken for real children or staff.
pub(super) const CHILD_FIRST: &str = "Alfie Amara Ben Chloe Daisy Ethan Freya George Harper Isla Jack Keira Leo Maya Noah \
    Olivia Poppy Reggie Ruby Sami Theo Zara Ivy Oscar";
pub(super) const CHILD_LAST: &str = "Applecroft Bramblewick Cobblestone Dandelion Elderberry Fernhollow Gooseberry \
    Hazelnut Inkwell Juniper Kettleby Lavender Marigold Nettlefield Oakapple Puddleby Quillfeather Rosehip \
    Sorrel Thistledown Umberfield Willowherb";
pub(super) const STAFF_FIRST: &str =
    "Alex Bea Cal Dee Eli Fran Gus Hana Ira Jo Kit Lou Mo Nat Ola Pat Rae Sol Tam Val";
pub(super) const WORKER_LAST: &str = "Lark Finch Wren Heron Plover Siskin Linnet Curlew Dunlin Merlin Osprey Kestrel \
    Bunting Pipit Starling Swift";
pub(super) const AUDITOR_LAST: &str = "Alder Aspen Beech Cedar Elm Hawthorn Holly Larch Maple Rowan Spruce Yew \
    Hornbeam Linden";

pub(super) fn words(list: &'static str) -> Vec<&'static str> {
    list.split_whitespace().collect()
}

/// A made-up staff name, unique for each `k`: first × last name, then a number.
pub(super) fn staff_name(k: usize, first: &[&str], last: &[&str]) -> String {
    let combos = first.len() * last.len();
    let base = format!(
        "{} {}",
        first[k % first.len()],
        last[(k / first.len()) % last.len()]
    );
    if k < combos {
        base
    } else {
        format!("{base} {}", k / combos + 1)
    }
}
