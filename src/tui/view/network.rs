//! Network: relay and neighbour status, communities, your ticket as text
//! and QR code, and the peers you have met.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::Screen;
use super::widgets::{ListTable, clip, label_value, safe};
use crate::app::Tab;
use crate::node::RelayStatus;

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    let net = &state.network;
    let relay_style = match net.relays {
        RelayStatus::Online(_) => t.good,
        RelayStatus::Offline(_) => t.bad,
        _ => t.dim,
    };
    let mut lines = vec![
        Line::from(vec![
            ratatui::text::Span::styled(format!("{:<10} ", "relays"), t.dim),
            ratatui::text::Span::styled(safe(&net.relays.to_string()), relay_style),
        ]),
        label_value("LAN", if net.lan_discovery { "finding peers nearby (mDNS)" } else { "off" }, t),
        label_value("neighbors", net.neighbors.len().to_string(), t),
        label_value("joined", net.communities.join(", "), t),
        label_value("you", crate::identity::did_key_from_public(&state.me()), t),
        Line::raw(""),
        Line::styled("Your ticket (share it so others can reach you):", t.title),
        Line::raw(safe(&net.ticket)),
    ];
    let qr = qr_lines(&net.ticket);
    let [info, rest] = Layout::vertical([Constraint::Length(9), Constraint::Min(1)]).areas(area);
    Paragraph::new(std::mem::take(&mut lines)).wrap(Wrap { trim: false }).render(info, buf);
    let fits_qr =
        qr.len() as u16 <= rest.height && qr.first().is_some_and(|l| l.chars().count() as u16 + 2 <= rest.width / 2);
    let (peers_area, qr_area) = if fits_qr {
        let width = qr.first().map(|l| l.chars().count() as u16 + 2).unwrap_or(0);
        let [p, q] = Layout::horizontal([Constraint::Min(20), Constraint::Length(width)]).areas(rest);
        (p, Some(q))
    } else {
        (rest, None)
    };
    let rows = state
        .snapshot
        .peers
        .iter()
        .map(|p| {
            let up = net.neighbors.contains(&p.key);
            vec![
                p.key.fingerprint(),
                clip(&p.name, 20),
                if p.blocked {
                    "blocked"
                } else if up {
                    "connected"
                } else {
                    ""
                }
                .to_owned(),
            ]
        })
        .collect();
    let widths = [Constraint::Length(10), Constraint::Min(10), Constraint::Length(9)];
    let selected = state.selected[Tab::Network.index()];
    ListTable { title: "Peers met", header: &["PEER", "NAME", ""], widths: &widths, rows, first: 0, selected }
        .render(t, peers_area, buf);
    if let Some(area) = qr_area {
        Paragraph::new(qr.into_iter().map(Line::raw).collect::<Vec<_>>()).render(area, buf);
    }
}

fn qr_lines(ticket: &str) -> Vec<String> {
    let Ok(code) = qrcode::QrCode::new(ticket.as_bytes()) else { return Vec::new() };
    let picture = code.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build();
    picture.lines().map(str::to_owned).collect()
}
