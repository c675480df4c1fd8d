//! The local control socket of a real node: private from the moment it
//! exists, and never serving more than its bound of connections at once.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;

use agora::node::{ControlReply, ControlRequest, ControlSocket, Node, NodeConfig, ask_control};
use agora::store::Store;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UnixStream;

/// A guard on every wait: nothing here is expected to take long.
const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_is_private_and_busy_beyond_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
    let node = tokio::time::timeout(WAIT, Node::spawn(common::identity(1), store, NodeConfig::loopback(&["agora"])))
        .await
        .unwrap()
        .unwrap();
    let path = dir.path().join("control.sock");
    let socket = node.listen_locally(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["control.sock", "store.redb"], "no staging directory is left");
    let ticket = || async { tokio::time::timeout(WAIT, ask_control(&path, &ControlRequest::Ticket)).await.unwrap() };
    assert!(matches!(ticket().await.unwrap(), ControlReply::Ticket(_)));

    // Idle connections that never send a request: the bound plus five.
    let bound = ControlSocket::MAX_CONNECTIONS;
    let mut idle = Vec::new();
    for _ in 0..bound + 5 {
        idle.push(UnixStream::connect(&path).await.unwrap());
    }
    // The five beyond the bound are told at once that the node is busy.
    for stream in idle.iter_mut().skip(bound) {
        let mut line = String::new();
        tokio::time::timeout(WAIT, BufReader::new(stream).read_line(&mut line)).await.unwrap().unwrap();
        assert!(line.contains("busy"), "{line}");
    }
    // So is a real request while the bound is held.
    match ticket().await.unwrap() {
        ControlReply::Failed(reason) => assert!(reason.starts_with("busy"), "{reason}"),
        other => panic!("served beyond the bound: {other:?}"),
    }
    // Once the idle ones go away, requests are served again.
    drop(idle);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match ticket().await.unwrap() {
            ControlReply::Ticket(_) => break,
            ControlReply::Failed(reason) if reason.starts_with("busy") => {}
            other => panic!("{other:?}"),
        }
        assert!(tokio::time::Instant::now() < deadline, "still busy after the idle connections closed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(socket);
    assert!(!path.exists(), "the socket is removed with the listener");
    node.shutdown().await;
}
