//! `/align pillars` and `/align teams` list the keys people type; unknown
//! keys point to them with the closest key; a typo in a subcommand gets
//! "did you mean …?" instead of the whole help.

use crate::helpers::*;

const LEAD: &str = "U0LEAD1";

#[tokio::test]
async fn pillars_and_teams_list_their_keys_names_leaders_and_channels() {
    let app = spawn_app().await;
    let pillars = app.post_command("/align", "pillars", NURSE).await;
    assert_eq!(pillars.json()["response_type"], "ephemeral");
    let text = blocks_text(&pillars.json());
    for expected in [
        "`patient-care`",
        "Patient care",
        "Safe, kind care.",
        "`our-people`",
        "Our people",
        "`pillar:<key>`",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let teams = app.post_command("/align", "teams", NURSE).await;
    let text = blocks_text(&teams.json());
    for expected in ["`nursing`", "Nursing", "<#C0NURSING>", "<@U0LEAD1>"] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        !text.contains("&lt;@"),
        "the bot's own mentions render as mentions: {text}"
    );
}

#[tokio::test]
async fn a_name_with_markup_is_shown_as_written_in_the_lists() {
    let app = spawn_app().await;
    let added = app
        .post_command(
            "/align",
            "team add icu \"ICU <!channel> & co\" channel:<#C0ICU|icu>",
            ADMIN,
        )
        .await;
    assert!(added.text().contains("icu"), "{}", added.body);
    let text = blocks_text(&app.post_command("/align", "teams", NURSE).await.json());
    assert!(text.contains("ICU &lt;!channel&gt; &amp; co"), "{text}");
    assert!(text.contains("no leader yet"), "{text}");
}

#[tokio::test]
async fn an_unknown_key_names_the_closest_one_and_the_list_command() {
    let app = spawn_app().await;
    let pillar = app
        .post_command("/goal", "add Cut waits pillar:patient-cars", LEAD)
        .await;
    assert!(
        pillar.text().contains("There is no pillar `patient-cars`")
            && pillar.text().contains("did you mean `patient-care`?")
            && pillar.text().contains("`/align pillars`"),
        "{}",
        pillar.body
    );
    let team = app.post_command("/goal", "list team nursign", LEAD).await;
    assert!(
        team.text().contains("did you mean `nursing`?") && team.text().contains("`/align teams`"),
        "{}",
        team.body
    );
    let far = app
        .post_command("/goal", "add Cut waits pillar:growth", LEAD)
        .await;
    assert!(
        !far.text().contains("did you mean") && far.text().contains("`/align pillars`"),
        "{}",
        far.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);
}

#[tokio::test]
async fn a_typo_in_a_subcommand_suggests_the_closest_command() {
    let app = spawn_app().await;
    let goal = app
        .post_command("/goal", "ad Cut waits pillar:patient-care", LEAD)
        .await;
    assert!(
        goal.text().contains("Did you mean `/goal add`?"),
        "{}",
        goal.body
    );
    assert!(
        !goal.text().contains("/goal propose"),
        "not the whole help: {}",
        goal.body
    );
    let align = app.post_command("/align", "statsu", LEAD).await;
    assert!(
        align.text().contains("Did you mean `/align status`?"),
        "{}",
        align.body
    );
    let far = app.post_command("/align", "dance", LEAD).await;
    assert!(
        far.text().contains("/align pillars"),
        "the whole help: {}",
        far.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);
}
