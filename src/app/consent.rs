//! Consent of the people a moment names: "Don't name me" on one moment,
//! and opting out of being named in future moments (`/align privacy`).
//!
//! Privacy wins over "exactly as written": a person who asks is replaced by
//! "a colleague" in the stored story and in its post, and the post says it
//! was edited at the request of a person named.

use super::outgoing::{Outgoing, enqueue};
use super::{AppContext, AppError};
use crate::domain::moment::MomentStatus;
use crate::domain::{MomentId, PersonId};
use crate::store::{StoreError, moments, privacy};

/// What a person is replaced with.
pub const A_COLLEAGUE: &str = "a colleague";

/// `story` with `person` taken out: their mention and the names the bot
/// knows them by (longest first, whole words only) become "a colleague".
pub fn without_person(story: &str, person: &PersonId, names: &[String]) -> String {
    let mut out = story.replace(&format!("<@{person}>"), A_COLLEAGUE);
    let mut names: Vec<&str> = names
        .iter()
        .map(|n| n.trim())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        out = replace_words(&out, name);
    }
    out
}

/// Replaces `name` where it stands as whole words (not inside a longer word).
fn replace_words(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].chars().next();
        let whole =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        out.push_str(if whole { A_COLLEAGUE } else { name });
        rest = &rest[at + name.len()..];
    }
    out.push_str(rest);
    out
}

/// "Don't name me": takes `person` out of moment `id` (story, recognitions
/// and post). Returns false, changing nothing, when the moment does not
/// name them (any more): only someone it names may ask.
#[tracing::instrument(skip_all, fields(%person, %id))]
pub async fn unname(ctx: &AppContext, person: PersonId, id: MomentId) -> Result<bool, AppError> {
    let now = ctx.clock.now();
    let changed = ctx
        .store
        .write(move |conn| {
            Box::pin(async move {
                let Some(moment) = moments::get(conn, id)
                    .await?
                    .filter(|m| m.status != MomentStatus::Deleted)
                else {
                    return Ok(Err(AppError::NotFound(
                        "That moment was taken down: it no longer names anyone.".into(),
                    )));
                };
                let named =
                    super::moments::named_people(&moment.story, &moment.recognized, &moment.author);
                if !named.contains(&person) {
                    // Already taken out (a second click), or never named.
                    return Ok(Ok(false));
                }
                let names = privacy::names_of(conn, &person).await?;
                let story = without_person(&moment.story, &person, &names);
                privacy::rewrite_story(conn, id, &story, &person, now).await?;
                privacy::record_unnamed(conn, id, &person, now).await?;
                if let Some((channel, _)) = &moment.post
                    && let Ok(channel) = crate::domain::ChannelId::parse(channel)
                {
                    enqueue(
                        conn,
                        &Outgoing::UpdateMoment {
                            moment: id,
                            channel,
                        },
                        now,
                    )
                    .await?;
                }
                enqueue(
                    conn,
                    &Outgoing::PublishHome {
                        person: moment.author.clone(),
                    },
                    now,
                )
                .await?;
                Ok::<_, StoreError>(Ok(true))
            })
        })
        .await??;
    ctx.wake_delivery();
    Ok(changed)
}

/// Turns "don't name me in future moments" on or off.
pub async fn set_opt_out(
    ctx: &AppContext,
    person: PersonId,
    opted_out: bool,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .write(move |conn| {
            Box::pin(async move { privacy::set_opt_out(conn, &person, opted_out, now).await })
        })
        .await?;
    Ok(())
}

/// Whether `person` asked not to be named in future moments.
pub async fn is_opted_out(ctx: &AppContext, person: &PersonId) -> Result<bool, AppError> {
    let mut conn = ctx.store.read_conn().await?;
    Ok(privacy::is_opted_out(&mut conn, person).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_is_replaced_by_a_colleague_by_mention_and_by_name() {
        let priya = PersonId::parse("U0PRIYA").unwrap();
        let names = vec!["Priya Natarajan".to_owned(), "Priya".to_owned()];
        assert_eq!(
            without_person(
                "<@U0PRIYA> stayed late; Priya Natarajan and Priyanka sang. Thanks Priya!",
                &priya,
                &names
            ),
            "a colleague stayed late; a colleague and Priyanka sang. Thanks a colleague!"
        );
        assert_eq!(
            without_person("<@U0OTHER> helped", &priya, &names),
            "<@U0OTHER> helped"
        );
    }
}
