//! `serve` never carries the playground: none of its routes exist there.

use crate::helpers::spawn_app;

#[tokio::test]
async fn serve_answers_404_to_every_playground_route() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    for (method, path) in [
        ("GET", "/"),
        ("GET", "/playground/api/state"),
        ("GET", "/playground/static/index.html"),
        ("POST", "/playground/api/command"),
        ("POST", "/playground/api/job"),
        ("POST", "/playground/slack/api/chat.postMessage"),
        ("POST", "/playground/slack/response/R1"),
    ] {
        let url = format!("{}{path}", app.address);
        let request = match method {
            "GET" => http.get(url),
            _ => http.post(url).body("{}"),
        };
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(status, 404, "{method} {path}");
    }
    app.stop().await;
}
