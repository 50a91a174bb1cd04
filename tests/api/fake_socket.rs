//! A fake Socket Mode server on loopback: the WebSocket end that Slack
//! runs. The fake Slack's `apps.connections.open` hands out its URL; each
//! connection the bot opens is handed to the test, which plays Slack on it
//! (hello, envelopes, disconnect messages, an abrupt drop) and reads the
//! bot's acks.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

/// Real time the tests wait for something the bot must do, at most.
const PATIENCE: Duration = Duration::from_secs(10);

pub struct FakeSocketMode {
    /// The URL `apps.connections.open` should return.
    pub url: String,
    accepted: tokio::sync::Mutex<mpsc::UnboundedReceiver<Connection>>,
    count: Arc<AtomicUsize>,
}

impl FakeSocketMode {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake socket mode");
        let url = format!(
            "ws://{}/link/?ticket=fake-ticket&app_id=A0TEST",
            listener.local_addr().unwrap()
        );
        let (tx, rx) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        let counted = count.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let tx = tx.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                        counted.fetch_add(1, Ordering::SeqCst);
                        let _ = tx.send(Connection {
                            ws,
                            unread: Vec::new(),
                        });
                    }
                });
            }
        });
        Self {
            url,
            accepted: tokio::sync::Mutex::new(rx),
            count,
        }
    }

    /// The next connection the bot opens (waits up to 10 s).
    pub async fn next_connection(&self) -> Connection {
        let mut accepted = self.accepted.lock().await;
        tokio::time::timeout(PATIENCE, accepted.recv())
            .await
            .expect("the bot connects to the Socket Mode server")
            .expect("the fake server runs")
    }

    /// WebSocket connections accepted so far.
    pub fn connections(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

/// One WebSocket connection, seen from Slack's side.
pub struct Connection {
    ws: WebSocketStream<TcpStream>,
    /// Frames read while looking for another one (acks come in any order).
    unread: Vec<Value>,
}

impl Connection {
    pub async fn send(&mut self, frame: &Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_owned()))
            .await
            .expect("the bot's socket takes a frame");
    }

    pub async fn hello(&mut self) {
        self.send(&json!({
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0TEST"}
        }))
        .await;
    }

    pub async fn disconnect(&mut self, reason: &str) {
        self.send(&json!({
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-fake"}
        }))
        .await;
    }

    /// Sends `envelope` and waits for the bot's ack of it.
    pub async fn exchange(&mut self, envelope: &Value) -> Value {
        self.send(envelope).await;
        self.ack_for(envelope["envelope_id"].as_str().expect("an envelope id"))
            .await
    }

    /// Waits (up to 10 s) for the ack of `envelope_id`.
    pub async fn ack_for(&mut self, envelope_id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(i) = self
                .unread
                .iter()
                .position(|f| f["envelope_id"] == envelope_id)
            {
                return self.unread.remove(i);
            }
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no ack for {envelope_id}"))
                .unwrap_or_else(|| panic!("socket closed before the ack of {envelope_id}"))
                .expect("a frame from the bot");
            if let Message::Text(text) = frame {
                let value: Value = serde_json::from_str(&text).expect("the bot sends JSON");
                self.unread.push(value);
            }
        }
    }

    /// Waits (up to 10 s) until the bot closes this connection; returns the
    /// frames it sent before.
    pub async fn closed_by_the_bot(mut self) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .expect("the bot closes the connection")
            {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => {
                    return self.unread;
                }
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("the bot sends JSON");
                    self.unread.push(value);
                }
                Some(Ok(_)) => {}
            }
        }
    }

    /// Drops the TCP connection with no closing handshake, like a network
    /// failure.
    pub fn drop_abruptly(self) {
        drop(self.ws);
    }
}

/// A Socket Mode envelope of `kind` around `payload`.
pub fn envelope(id: &str, kind: &str, payload: Value, accepts_response_payload: bool) -> Value {
    json!({
        "envelope_id": id,
        "type": kind,
        "payload": payload,
        "accepts_response_payload": accepts_response_payload,
        "retry_attempt": 0,
        "retry_reason": ""
    })
}
