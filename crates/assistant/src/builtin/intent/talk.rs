//! Small talk, help, yes and no, clearing completed tasks, and questions
//! (which never act).

use super::*;

// ---------------------------------------------------------------------------
// Small talk.

pub(super) fn small_talk(s: &str, msg: &Msg, ctx: &ParseContext) -> Option<Intent> {
    let s = s.replace(',', "");
    let s = s.trim_end_matches(['!', '?', '.', ' ']).trim();
    if s.is_empty() || !s.chars().any(char::is_alphanumeric) {
        return Some(Intent::Talk(Talk::Ack));
    }
    TALK.read(s, msg, ctx)
}

/// Help, yes and no, greetings and the like: whole messages only.
pub(super) static TALK: Table = Table::new(&[
    rule(
        r"^(?:help|help me|help please|\?|what can you do|what can you do for me|what can i say|what can i ask|what can i ask you|what do you do|how does this work|how do i use this|how do i use you|how to use this|how can you help|how can you help me|what can you help with|what can you help me with|commands|list commands|show commands|examples|usage|instructions|menu|options|what do you understand|what are the commands|show help|i need help|tutorial|what should i say|how do (?:i|you) .+)$",
        |_| Some(Intent::Help),
    ),
    rule(
        r"^(?:yes|y|yeah|yea|yep|yup|sure|confirm|confirmed|do it|go ahead|yes please|please do|absolutely|affirmative|yes do it|yes delete them|yes clear them|ok do it|okay do it|go for it|proceed)$",
        |_| Some(Intent::Yes),
    ),
    rule(
        r"^(?:no|n|nope|nah|cancel|never ?mind|nvm|stop|forget it|don't|dont|do not|no thanks|no thank you|abort|not now|no way|keep them|don't do it|dont do it|leave it)$",
        |_| Some(Intent::No),
    ),
    rule(
        r"^(?:hi|hello|hey|hiya|howdy|yo|greetings|hi there|hello there|hey there|sup|what's up|whats up|wassup|good (?:morning|afternoon|evening|day)|morning|evening|hallo|hola|bonjour)(?: (?:bot|assistant|there|friend|buddy))?$",
        |_| Some(Intent::Talk(Talk::Greeting)),
    ),
    rule(
        r"^(?:how are you|how r u|how are u|how're you|how are you doing|how are things|how's it going|hows it going|how is it going|how do you do|how have you been|you ok|are you ok|how's your day|how is your day)(?: today)?$",
        |_| Some(Intent::Talk(Talk::HowAreYou)),
    ),
    rule(
        r"^(?:(?:ok |okay |great |perfect |awesome |cool )?(?:thanks|thank you|thx|ty|tysm|cheers)(?: (?:a lot|so much|very much|again|man|buddy|mate|bot))?|many thanks|much appreciated|appreciate it|i appreciate it)$",
        |_| Some(Intent::Talk(Talk::Thanks)),
    ),
    rule(
        r"^(?:bye|goodbye|good bye|bye bye|see you|see ya|see you later|later|cya|good night|goodnight|gn|ttyl|talk to you later)$",
        |_| Some(Intent::Talk(Talk::Bye)),
    ),
    rule(
        r"^(?:who are you|what are you|what's your name|whats your name|what is your name|are you a bot|are you human|are you real|are you an ai|are you a robot)$",
        |_| Some(Intent::Talk(Talk::WhoAreYou)),
    ),
    rule(
        r"^(?:lol|lmao|rofl|haha+|hahaha+|hehe+|ha|ok|okay|k|kk|cool|nice|great|awesome|perfect|good|very good|got it|sounds good|alright|all right|fine|i'm fine|im fine|i'm good|im good|great job|good job|well done|nice one|wow|hm+|oh|ah+|oops|sorry|my bad|no worries|np|you rock|you're the best|youre the best|love you|i love you|good bot|bad bot|amazing|excellent|brilliant|sweet|neat|interesting|i see|makes sense|right|true|whatever|meh|ugh|yay|woohoo|:\)|:\(|:d|xd)$",
        |_| Some(Intent::Talk(Talk::Ack)),
    ),
]);

/// "clear completed", "delete all done tasks", "tidy up my list".
pub(super) static CLEAR_COMPLETED: Table = Table::new(&[
    rule(
        r"^(?:clear|delete|remove|purge|clean up|clean out|clean|wipe|wipe out|erase|archive|get rid of|trash|drop|empty|nuke)\s+(?:out\s+)?(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?(?:completed|complete|done|finished|checked|checked-off|checked off|ticked off|old completed|closed)(?:\s+(?:tasks|ones|items|todos|to-dos|stuff|things))?(?:\s+(?:from\s+)?(?:my|the)\s+list)?$",
        |_| Some(Intent::ClearCompleted),
    ),
    rule(
        r"^(?:clear|delete|remove|purge|clean up|get rid of)\s+(?:all\s+)?(?:of\s+)?(?:the\s+|my\s+)?(?:tasks|ones|items|todos)\s+(?:that are|that were|i've|i have|which are|already|i already)\s+(?:already\s+)?(?:done|completed|finished)$",
        |_| Some(Intent::ClearCompleted),
    ),
    rule(
        r"^(?:clear|delete|remove|purge|clean up)\s+(?:everything|all)\s+(?:that's|thats|that is)\s+(?:done|completed|finished)$",
        |_| Some(Intent::ClearCompleted),
    ),
    rule(
        r"^(?:clean up|tidy up|tidy)\s+(?:my\s+|the\s+)?(?:list|todo list|to-do list|tasks)$",
        |_| Some(Intent::ClearCompleted),
    ),
]);

/// A question ("is…", "did I…", "what…"), which never acts, unless it is
/// "did it" ("just did it": done).
pub(super) fn is_question(s: &str) -> bool {
    is(
        re!(
            r"^(?:is|are|was|were|did|do|does|have|has|had|should|shall|could|would|will|can|may|what|what's|which|when|where|why|how|who)\b"
        ),
        s,
    ) && !is(re!(r"^did\s+(?:it|that|this|them)\b"), s)
}

/// A question about tasks: the done ones, or a search for the ones it
/// names; `None` for any other question.
pub(super) fn question(s: &str, msg: &Msg, ctx: &ParseContext) -> Option<Intent> {
    QUESTIONS.read(s, msg, ctx)
}

/// Questions about tasks, which look and never act.
pub(super) static QUESTIONS: Table = Table::new(&[
    // "what did I complete?", "what have we finished": the done ones.
    rule(
        r"^(?:what|which)(?:\s+(?:tasks|ones|things|todos))?\s+(?:did|have|'ve)\s+(?:i|we)\s+(?:already\s+|just\s+)?(?:complete|completed|finish|finished|do|done|get done|got done|tick off|ticked off|check off|checked off)\b",
        |h| {
            Some(Intent::List(ListSpec {
                status: Some(StatusArg::Completed),
                completed: completed_window(h.text()),
                ..ListSpec::default()
            }))
        },
    ),
    // "did I complete the report?", "have I finished the report?".
    rule(
        r"^(?:did|have|has|should|shall|can|could)\s+(?:i|we|you)\s+(?:already\s+|ever\s+|really\s+)?(?:complete|completed|finish|finished|do|done|did|delete|deleted|remove|removed|reopen|reopened|move|moved|reschedule|rescheduled|postpone|postponed)\s+(?P<r>.+)$",
        search_named,
    ),
    // "is the report done?", "is the report urgent?".
    rule(
        r"^(?:is|are|was|were|has|have)\s+(?P<r>.+?)\s+(?:been\s+|already\s+)?(?:done|completed|complete|finished|deleted|removed|due|urgent|important)\b.*$",
        search_named,
    ),
]);

/// A search for the task a question names ("the report already" → "report").
fn search_named(h: &Hit) -> Option<Intent> {
    let mut r = h.group("r");
    for tail in [" already", " yet", " today"] {
        r = r.trim_end_matches(tail);
    }
    // "should I move the dentist to friday?": the task, not where to.
    let r = r.split(" to ").next().unwrap_or(r);
    let query = reference::strip_nouns(reference::strip_articles(r)).trim();
    (!query.is_empty()).then(|| {
        Intent::List(ListSpec {
            status: Some(StatusArg::All),
            query: Some(query.to_owned()),
            ..ListSpec::default()
        })
    })
}
