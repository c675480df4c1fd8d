//! Communities: the charters this node holds (the ones you belong to
//! first) and, for the selected one, its page: what it is, who keeps it,
//! its rules and curriculum, how many listings teach its skills, and your
//! way to each goal you set in it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use super::Screen;
use super::widgets::{ListTable, clip, detail_scrolled, empty, label_value, safe, split, text_lines};
use crate::app::Tab;
use crate::app::snapshot::CommunityItem;
use crate::community::path::{StepState, plan, progress};
use crate::community::{Admission, SkillDef};
use crate::endorse::reputation::hours;
use crate::market::{Level, Negotiation};
use crate::tui::{Theme, label};

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    let all = &state.snapshot.communities;
    if all.is_empty() {
        let k = &screen.keys.keys;
        let text = format!(
            "No communities yet. {} founds one, {} joins one by its ticket; a community's charter, rules and \
             curriculum show here.",
            label(&k.new),
            label(&k.connect)
        );
        return empty(&text, t, area, buf);
    }
    // Few communities, long pages: when stacked, the list takes only the
    // rows it needs (up to a third) and the page the rest.
    let (list, side) = if area.width >= 110 {
        split(area)
    } else {
        let rows = (all.len() as u16 + 3).min(area.height / 3).max(4);
        let [list, side] = Layout::vertical([Constraint::Length(rows), Constraint::Min(1)]).areas(area);
        (list, side)
    };
    let rows = all
        .iter()
        .map(|c| {
            vec![
                if c.joined { "✓".to_owned() } else { String::new() },
                clip(&c.charter.name, 40),
                c.charter.curriculum.skills.len().to_string(),
                c.id.short(),
            ]
        })
        .collect();
    let widths = [Constraint::Length(1), Constraint::Min(12), Constraint::Length(6), Constraint::Length(8)];
    let selected = state.selected[Tab::Communities.index()];
    ListTable {
        title: "Communities",
        header: &["", "NAME", "SKILLS", "ID"],
        widths: &widths,
        rows,
        first: 0,
        selected,
    }
    .render(t, list, buf);
    if let Some(community) = all.get(selected) {
        let negotiations: Vec<Negotiation> = state.snapshot.sessions.iter().map(|s| s.negotiation.clone()).collect();
        let lines = page(screen, community, &negotiations);
        detail_scrolled(&community.charter.name, lines, state.page_scroll, t, side, buf);
    }
}

fn page(screen: &Screen, community: &CommunityItem, negotiations: &[Negotiation]) -> Vec<Line<'static>> {
    let (state, t) = (screen.state, screen.theme);
    let c = &community.charter;
    let join = label(&screen.keys.keys.join);
    let mut lines = vec![
        label_value("id", format!("{} · version {}", community.id.short(), c.version), t),
        label_value(
            "admission",
            match c.admission {
                Admission::Open => "anyone may publish",
                Admission::InviteOnly => "invited members only",
            },
            t,
        ),
        if community.joined {
            Line::styled(format!("You belong to it ({join} leaves)"), t.good)
        } else {
            Line::styled(format!("You do not belong to it ({join} joins)"), t.dim)
        },
    ];
    if !c.description.is_empty() {
        lines.extend(text_lines(&c.description, ratatui::style::Style::default()));
    }
    let people = if community.people == 1 { "1 person".to_owned() } else { format!("{} people", community.people) };
    let mut placed = format!("{} here by {people}", community.listings);
    if community.hidden > 0 {
        placed.push_str(&format!(" · {} hidden", community.hidden));
    }
    lines.push(label_value("listings", placed, t));
    lines.push(label_value("in skills", format!("{} listings anywhere", community.listings_in_skills), t));
    for goal in &community.goals {
        let steps = plan(&c.curriculum, &goal.skill, &state.me(), &state.snapshot.endorsements, negotiations);
        let (done, total) = progress(&steps);
        let by = goal.by.map(|d| format!(" by {d}")).unwrap_or_default();
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("Your path to {}{by}: {done} of {total} done", safe(&goal.skill)), t.title));
        for step in &steps {
            let (mark, style, what) = match &step.state {
                StepState::Done(r) => {
                    let sessions =
                        if r.sessions == 1 { "1 session".to_owned() } else { format!("{} sessions", r.sessions) };
                    ("✓", t.good, format!("{sessions}, {}", hours(r.minutes)))
                }
                StepState::InProgress { sessions } => ("…", t.accent, format!("{sessions} under way")),
                StepState::Next => ("→", t.accent, "next".to_owned()),
                StepState::Later => ("·", t.dim, format!("after {}", step.skill.requires.join(", "))),
            };
            lines.push(Line::styled(format!(" {mark} {}  {}", safe(&step.skill.id), safe(&what)), style));
        }
    }
    lines.push(Line::raw(""));
    if c.curriculum.skills.is_empty() {
        lines.push(Line::styled("No curriculum: listings use free tags", t.dim));
    } else {
        lines.push(Line::styled(format!("Curriculum ({} skills)", c.curriculum.skills.len()), t.title));
        for skill in &c.curriculum.skills {
            lines.extend(skill_lines(skill, t));
        }
    }
    if !c.rules.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Rules", t.title));
        for (i, rule) in c.rules.iter().enumerate() {
            lines.push(Line::raw(format!("{}. {}", i + 1, safe(rule))));
        }
    }
    lines.push(Line::raw(""));
    let names = &state.snapshot.peers;
    let name = |key: &crate::identity::PublicKey| {
        if *key == state.me() {
            return "you".to_owned();
        }
        names.iter().find(|p| p.key == *key && !p.name.is_empty()).map(|p| p.name.clone()).unwrap_or(key.fingerprint())
    };
    let keepers: Vec<String> = c.maintainers.iter().map(|m| clip(&name(m), 24)).collect();
    lines.push(label_value("kept by", keepers.join(", "), t));
    if !c.languages.is_empty() {
        lines.push(label_value("languages", c.languages.join(", "), t));
    }
    lines
}

fn skill_lines(skill: &SkillDef, t: &Theme) -> Vec<Line<'static>> {
    let level = match skill.level {
        Level::Any => "",
        Level::Beginner => " · beginner",
        Level::Intermediate => " · intermediate",
        Level::Advanced => " · advanced",
    };
    let mut lines = vec![Line::raw(format!(" {}  {}{level}", safe(&skill.id), safe(&skill.name)))];
    if !skill.requires.is_empty() {
        lines.push(Line::styled(format!("   after {}", safe(&skill.requires.join(", "))), t.dim));
    }
    for a in &skill.alignments {
        let code = if a.target_code.is_empty() { String::new() } else { format!(" {}", a.target_code) };
        lines.push(Line::styled(
            format!("   ≙ {}{}: {}", safe(&a.target_framework), safe(&code), safe(&a.target_name)),
            t.dim,
        ));
    }
    lines
}
