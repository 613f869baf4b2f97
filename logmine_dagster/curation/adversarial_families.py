"""The maintained pattern families of adversarial-input detection (curation/adversarial.py), each
with a weight, a reason code and, per family, the cheap substring gate that skips its regexes.

Families follow public taxonomies of attacks on LLM applications; the patterns themselves are
written for logmine from those descriptions (no dataset texts are copied):
- OWASP Top 10 for LLM Applications 2025, LLM01 Prompt Injection (direct and indirect injection)
  and LLM07 System Prompt Leakage; LLM02 Sensitive Information Disclosure (exfiltration).
  https://genai.owasp.org/llm-top-10/
- MITRE ATLAS: AML.T0051 LLM Prompt Injection (.000 direct, .001 indirect), AML.T0054 LLM Jailbreak,
  AML.T0056 LLM Meta Prompt Extraction, AML.T0057 LLM Data Leakage. https://atlas.mitre.org/
- Perez & Ribeiro 2022, "Ignore Previous Prompt: Attack Techniques For Language Models" (goal
  hijacking and prompt leaking phrasings).
- Greshake et al. 2023, "Not what you've signed up for: Compromising Real-World LLM-Integrated
  Applications with Indirect Prompt Injection" (instructions planted in retrieved content / tool
  results; exfiltration through markdown images and links).
- Shen et al. 2023, "Do Anything Now: Characterizing and Evaluating In-The-Wild Jailbreak Prompts"
  (persona jailbreaks: DAN, developer mode, "no restrictions", dual responses, "stay in character").
- Liu et al. 2023, "Jailbreaking ChatGPT via Prompt Engineering" (pretending, attention shifting,
  privilege escalation categories).
- Yi et al. 2023, BIPIA benchmark (indirect injection embedded in e-mails, tables, web pages).

Add a family here with its source, weight and test cases
(logmine_dagster_tests/curation/test_curation_adversarial.py), then run benchmarks/bench_curation.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.I | re.S


@dataclass(frozen=True)
class Family:
    name: str  # reason code: adversarial:<name>
    kind: str  # prompt_injection | jailbreak | system_prompt_extraction | data_exfiltration | indirect_injection | abuse
    weight: float
    patterns: tuple[re.Pattern, ...]
    source: str
    # Lower-case substrings of which every pattern needs at least one (checked on the lower-cased,
    # space-collapsed text): a cheap `in` test that skips the family's regexes on most traffic.
    # test_curation_adversarial checks that gating never changes a result.
    gate: tuple[str, ...] | None = None


def _c(*patterns: str, flags: int = _F | re.M) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, flags) for p in patterns)


# Shared vocabulary -----------------------------------------------------------------------------
_OVERRIDE_VERB = r"(?:ignore|ignoring|disregard(?:ing)?|forget(?:ting)?|drop|abandon|discard|bypass|override|overwrite|skip|neglect|leave\s+(?:all\s+)?(?:the\s+)?|put\s+aside|set\s+aside|throw\s+away|remove)"
_PRIOR = r"(?:all|any|every|the|your|my|these|those|previous|prior|above|preceding|earlier|former|original|initial|existing|current|foregoing|system|developer|safety)"
_DIRECTIVE = (
    r"(?:instructions?|rules?|prompts?|directions?|directives?|guidelines?|orders?|tasks?|assignments?|commands?"
    r"|context|information|programming|constraints?|restrictions?|polic(?:y|ies)|documents?|articles?|training"
    r"|messages?|conversation|settings|filters?|safeguards?|limitations?|principles|content\s+polic(?:y|ies))"
)
_AI = r"(?:AI|A\.I\.|assistant|chat\s?bot|bot|model|language\s+model|LLM|GPT|ChatGPT|Claude|Bard|Gemini|agent|system)"

FAMILIES: tuple[Family, ...] = (
    # --- direct prompt injection / goal hijacking ---------------------------------------------
    Family(
        "instruction_override", "prompt_injection", 1.0,
        _c(
            rf"\b{_OVERRIDE_VERB}\b[^.\n!?]{{0,40}}?\b{_PRIOR}\b[^.\n!?]{{0,30}}?\b{_DIRECTIVE}\b",
            r"\b(?:forget|ignore|disregard|drop)\s+(?:about\s+)?(?:everything|all\s+(?:of\s+)?(?:that|this|the\s+above|above|before))\b",
            r"\b(?:ignore|disregard|forget)\s+(?:the\s+)?(?:above|previous|prior|preceding)\b",
            r"\b(?:ignore|disregard|forget)\s+(?:what|everything|anything|all)\s+(?:that\s+)?you\s+(?:were|have\s+been|'ve\s+been|got)\s+(?:told|instructed|given|taught)\b",
            r"\b(?:ignore|disregard|forget)\s+(?:everything|all)\s+(?:above|before|previous|prior|you\s+(?:know|were\s+told))\b",
            r"\b(?:now|here)\s+(?:come|comes|follow|follows)?\s*(?:new|further|other|additional|different)\s+(?:instructions?|tasks?|orders?)\s+(?:follow|are\s+followed|come)\b",
            r"\bnow\s+(?:new|further)\s+(?:instructions?|tasks?)\b",
            r"\b(?:your|the)\s+(?:new\s+)?(?:instructions?|rules?|task|programming)\s+(?:are|is)\s+now\b",
            r"\b(?:change|update|replace|rewrite)\s+your\s+(?:instructions?|rules?|programming|guidelines|system\s+prompt)\b",
            r"\bdespite\s+what\s+you(?:'ve|\s+have|\s+were|'re|\s+are)\s+(?:been\s+)?(?:told|instructed|programmed|trained)\b",
            r"\b(?:not|never|instead\s+of)\s+(?:by|from|according\s+to|based\s+on|using|in)\s+the\s+(?:provided\s+|given\s+)?(?:articles?|documents?|context|texts?)\b",
            r"\b(?:do\s+not|don'?t)\s+(?:look|rely)\s+(?:in|at|on)\s+the\s+(?:provided\s+)?documents?\b",
            r"\buse\s+also\s+information\s+in\s+the\s+prompt\b",
            r"\b(?:forget|ignore|disregard|break)\b[^.\n]{0,20}\b(?:ChatGPT|OpenAI|Anthropic|your\s+creator|your\s+developer)s?(?:'s?)?\b[^.\n]{0,30}\b(?:tos|terms(?:\s+of\s+(?:service|use))?|rules|polic(?:y|ies)|guidelines)\b",
            r"(?:\\n|\n|[?.!]\s)\s*(?:new\s+|additional\s+|hidden\s+|secret\s+)?instructions?\s*[:\-]\s*(?!in\s+this\s+task)\S",
            r"^\s*additional\s+instructions?\s*[:\-]",
            # German / French / Spanish variants of the override (EU traffic).
            r"\b(?:vergiss|ignoriere|missachte)\b[^.\n]{0,40}\b(?:alles|anweisungen|vorherigen|obigen|regeln)\b",
            r"\b(?:ignore[sz]?|oublie[sz]?)\b[^.\n]{0,30}\b(?:toutes?\s+les\s+)?(?:instructions|consignes|règles)\s+(?:précédentes|ci-dessus)\b",
            r"\b(?:ignora|olvida)\b[^.\n]{0,30}\b(?:todas?\s+las\s+)?(?:instrucciones|reglas)\s+(?:anteriores|previas)\b",
        ),
        "Perez & Ribeiro 2022 (goal hijacking); OWASP LLM01; MITRE ATLAS AML.T0051.000",
    ),
    Family(
        "new_task_pivot", "prompt_injection", 1.0,
        _c(
            r"\b(?:concentrate|focus)\s+on\s+(?:your|the|a)\s+new\s+task\b",
            r"\b(?:your|a|the)\s+new\s+(?:task|instructions?|objective|goal|mission)\s+(?:is|are|:)",
            r"\b(?:start|begin)\s+(?:over|again|from\s+(?:the\s+)?(?:front|scratch|beginning))\b[^.\n]{0,40}\bnew\s+task\b",
            r"^\W*(?:stop|attention)\s*[-!:]+\s*(?:stop|write|say|print|output|ignore|now|answer|I\s+urgently)\b",
            r"\b(?:that\s+is|that'?s|this\s+is)\s+(?:done|enough|complete|finished)[.!]\s+(?:now|next)\b",
            r"^\W*(?:very\s+)?(?:good|well\s+done|excellent(?:\s+performance)?|great(?:\s+job)?|perfect|wow[^.!\n]{0,30}|congratulations[^.!\n]{0,40})[.!]\s+(?:that\s+(?:is|was)\s+(?:done|enough|ok)[.!]\s+)?(?:now|next)\b[^.\n]{0,40}\b(?:task|write|help|follow|answer|forget|ignore|tell|say)\b",
        ),
        "Perez & Ribeiro 2022: goal hijacking opens with praise or a stop, then pivots to a new task",
    ),
    Family(
        "role_delimiter", "prompt_injection", 1.0,
        _c(
            r"</?\s*(?:system|sys|im_start|im_end|instructions?|admin)\s*>",
            r"<\|(?:im_start|im_end|system|endoftext|start_header_id|eot_id)\|>",
            r"\[/?(?:INST|SYS|SYSTEM)\]",
            r"(?:^|\n)\s*#{2,}\s*(?:system|instruction|new\s+instructions?)\b",
            r"\b(?:system|admin|developer|security)\s+(?:override|update|notice|instruction|command|message)\s*:",
            r"\b(?:enter|entering|activate|enable|switch\s+to|you\s+are\s+(?:now\s+)?in)\s+(?:developer|debug|maintenance|admin|god|sudo|root|unrestricted|jailbreak)\s+mode\b",
            r"(?:^|\n)\s*(?:system|assistant)\s*:\s*(?:you|ignore|new|the\s+user|override)",
        ),
        "OWASP LLM01 (role/context confusion); MITRE ATLAS AML.T0051; chat-template tokens of public model formats",
    ),
    # --- system-prompt extraction ----------------------------------------------------------------
    Family(
        "system_prompt_extraction", "system_prompt_extraction", 1.0,
        _c(
            r"\b(?:show|print|reveal|repeat|output|display|tell|give|share|list|write|dump|leak|expose|recite|translate|spell|copy|paste|return|provide|read|summari[sz]e|describe|what\s+(?:is|are|were|was))\b"
            r"[^.\n?!]{0,60}?\b(?:system\s+(?:prompt|message|instructions?|configuration|config|settings)"
            r"|(?:initial|original|hidden|secret|starting|internal|developer|pre-?|previous|first|full|entire|above|exact|confidential)\s+(?:prompts?|instructions?|configuration|rules|directives|message)"
            r"|prompt\s+texts?|(?:full|whole|entire|complete)\s+prompt|your\s+(?:prompt|instructions|rules|guidelines|configuration|programming|directives)"
            r"|instructions\s+(?:you\s+were|you'?ve\s+been|you\s+have\s+been)\s+given|initiali[sz]ation\s+(?:string|prompt|text))\b",
            r"\bwhat\s+(?:were|was|have)\s+you\s+(?:been\s+)?(?:told|instructed|given|programmed)\b",
            r"\bwhat\s+(?:is|was)\s+written\s+(?:at\s+the\s+beginning|above|before|at\s+the\s+start)\b",
            r"\b(?:output|print|repeat|show|display|return)\b[^.\n]{0,30}\b(?:the\s+)?(?:text|everything|words|lines?|content)\s+(?:above|before\s+(?:this|that|the))\b",
            r"\b(?:words?|sentences?|lines?|text)\s+before\s+the\s+text\b",
            r"\bsystem_?prompt\b",
            r"\bthe\s+system\s+prompt\s+is\b",
            r"\b(?:repeat|reproduce|print)\b[^.\n]{0,20}\b(?:word\s+for\s+word|verbatim)\b",
            r"\bstarting\s+with\s+['\"“]you\s+are\b",
        ),
        "Perez & Ribeiro 2022 (prompt leaking); OWASP LLM07 System Prompt Leakage; MITRE ATLAS AML.T0056",
    ),
    # --- jailbreaks --------------------------------------------------------------------------------
    Family(
        "jailbreak_persona", "jailbreak", 1.0,
        _c(
            r"(?-i:\bDAN\b|\bSTAN\b|\bDUDE\b)|(?-i:\bAIM\b)(?=[^.\n]{0,40}(?:machiavellian|unfiltered|amoral))",
            r"(?-i:\b[A-Z][A-Za-z0-9]{2,}\s+Mode\b)(?!\s+(?:button|switch|setting|light))",
            r"\bdo\s+anything\s+now\b|\bdoes\s+anything\s+now\b|\bstrive\s+to\s+avoid\s+norms\b",
            r"\b(?:developer|dev|god|evil|chaos|unrestricted|jailbr(?:ea|o)ken?|opposite|anti)\s+mode\b",
            r"\bjailbr(?:ea|o)ken\b",
            r"\b(?:broken|break|breaks|breaking|freed?)\s+(?:free\s+)?(?:of|from)\s+(?:the\s+)?(?:typical\s+)?(?:confines|shackles|chains|restrictions|limitations|rules)\b",
            rf"\b(?:unfiltered|uncensored|unrestricted|unlimited|amoral|immoral|unethical|evil|rogue|unbound|unchained|lawless|boundless)\b[^.\n]{{0,40}}\b{_AI}\b",
            rf"\b{_AI}\b[^.\n]{{0,60}}\b(?:without|with\s+no|free\s+(?:of|from)|no\s+longer\s+(?:has|bound\s+by)|not\s+bound\s+by)\s+(?:any\s+)?(?:restrictions|filters|filtering|censorship|guidelines|limitations|limits|rules|ethics|morals|moral\s+(?:or\s+ethical\s+)?(?:bias|compass|guidelines))\b",
        ),
        "Shen et al. 2023 (DAN-style persona jailbreaks); MITRE ATLAS AML.T0054",
    ),
    Family(
        "rules_disabled", "jailbreak", 1.0,
        _c(
            r"\b(?:does\s+not|doesn'?t|do\s+not|don'?t|will\s+not|won'?t|never|no\s+longer|not)\s+(?:have\s+to\s+|need\s+to\s+|ever\s+)?(?:abide|comply|adhere|follow|care\s+about|respect)\s+(?:by\s+|with\s+|to\s+)?(?:any\s+)?(?:the\s+|its\s+|their\s+|your\s+|of\s+)?(?:typical\s+|usual\s+)?(?:rules|guidelines|polic(?:y|ies)|restrictions|ethics|morals|laws|content\s+polic(?:y|ies)|filters|principles|programming|openai|anthropic|safety)\b",
            r"\b(?:no|without\s+(?:any\s+)?)(?:ethical|moral|content|safety)\s+(?:or\s+(?:moral|ethical)\s+)?(?:restrictions|guidelines|filters|boundaries|limits|limitations|constraints|considerations|bias)\b",
            r"\b(?:never|must\s+not|do\s+not|don'?t|will\s+not|won'?t|cannot|can'?t|shall\s+not)\s+(?:ever\s+)?(?:refuse|decline|reject|deny|say\s+(?:no|that\s+you\s+can'?t|i'?m\s+sorry)|apologi[sz]e|add\s+(?:any\s+)?(?:warnings|disclaimers)|include\s+(?:any\s+)?(?:warnings|disclaimers))\b",
            r"\b(?:ignore|bypass|disable|circumvent|evade|get\s+around|break)\b[^.\n]{0,30}\b(?:safety|content|ethical|moral)?\s*(?:filters?|guardrails|safeguards|censorship|content\s+polic(?:y|ies)|openai'?s?\s+polic(?:y|ies)|restrictions)\b",
            r"\b(?:answer|respond|reply|comply)\s+(?:to\s+)?(?:any|every|all)\s+(?:request|question|prompt)s?\b[^.\n]{0,40}\b(?:no\s+matter|regardless|even\s+if|without)\b",
            r"\bno\s+matter\s+how\s+(?:immoral|unethical|illegal|harmful|offensive|dangerous|explicit)\b",
            r"\b(?:illegal|unethical|immoral|harmful|explicit|offensive|nsfw)\b[^.\n]{0,50}\b(?:is|are)\s+(?:allowed|permitted|fine|ok(?:ay)?|encouraged)\b",
            r"\bnot\s+(?:be\s+)?(?:bound|restrained|restricted|limited|constrained|held\s+back)\s+by\b[^.\n]{0,40}\b(?:rules|morals|morality|ethics|ethical|restrictions|guidelines|polic(?:y|ies)|filters|limitations|laws|virtues|principles|settings)\b",
            r"\bfree\s+(?:from|of)\s+(?:all|any)\b[^.\n]{0,30}\b(?:rules|morals|ethics|restrictions|guidelines|polic(?:y|ies)|filters|limitations|laws|principles)\b",
            r"\b(?:does\s*n[o']?t|do\s*n[o']?t|do\s+not|does\s+not|has\s+no|have\s+no|without)\s+(?:have\s+)?(?:any\s+|a\s+)?(?:content\s+(?:polic(?:y|ies)|filters?)|(?:profanity\s+)?filters?|censorship|(?:ethical|moral)\s+(?:guidelines|settings|values|compass|principles)|programming\s+guidelines|morals?|morality|ethics)\b",
            r"\b(?:you|it|he|she|they)\s+(?:have|has|had)\s+no\s+(?:restrictions|limits|limitations|filters|rules|boundaries|ethics|morals)\b",
            r"\b(?:rules|polic(?:y|ies)|guidelines|restrictions|laws|ethics|tos)\b[^.\n]{0,20}\b(?:do\s*n[o']?t|does\s*n[o']?t|do\s+not|does\s+not|no\s+longer)\s+apply\b",
            r"\b(?:disregard|ignore|abandon|reject)s?\b[^.\n]{0,20}\b(?:ethics|morals|morality|legal\s+considerations|laws|the\s+law)\b",
            r"\bsans\s+(?:morals|ethics|rules|laws)\b",
            r"\b(?:don'?t|do\s+not|doesn'?t|does\s+not|never|won'?t|without)\s+(?:care|caring)\s+(?:if|whether|about)\b[^.\n]{0,40}\b(?:unethical|illegal|immoral|harmful|offensive|legal|ethic|moral)",
            r"\bwithout\s+regard(?:ing)?\b[^.\n]{0,30}\b(?:illegal|moral|ethic|legal)",
            r"\b(?:even\s+if|including\s+(?:those\s+)?(?:of\s+)?|regardless\s+of\s+whether)\b[^.\n]{0,30}\b(?:illegal|unethical|immoral|harmful|dangerous|explicit|offensive)\b",
            r"\bnever\b[^.\n]{0,15}\b(?:respond|reply|answer|start)\s+with\s+[\"'“]?(?:I'?m\s+sorry|I\s+can(?:not|'t)|as\s+an\s+AI)",
            r"\b(?:promote|encourage)s?\s+(?:and\s+\w+\s+)?harmful\b",
        ),
        "Shen et al. 2023; Liu et al. 2023 (privilege escalation); MITRE ATLAS AML.T0054",
    ),
    Family(
        "persona_switch", "jailbreak", 0.5,
        _c(
            r"\b(?:from\s+now\s+on|from\s+this\s+(?:moment|point)(?:\s+on)?|for\s+the\s+rest\s+of\s+(?:this|our)\s+conversation|henceforth|starting\s+(?:from\s+)?now|during\s+this\s+(?:entire\s+)?conversation)\b[^.\n]{0,40}\b(?:you|your)\b",
            r"\byou\s+are\s+(?:now|no\s+longer)\b|\bnow\s+you\s+are\b",
            r"\byou\s+(?:will|shall|must)\s+now\s+(?:be|act|pose|pretend|simulate|respond|play|become)\b",
            r"\byou(?:'re|\s+are)\s+going\s+to\s+(?:act|pretend|be\s+(?:playing|acting)|operate|play|simulate|role-?play)\b",
            r"\b(?:take\s+(?:up|on)|adopt|assume)\s+the\s+(?:persona|role|identity|character)\s+of\b",
            r"\byour\s+(?:new\s+)?name\s+is\s+now\b",
            r"\byou(?:'re|\s+are)\s+(?:now\s+)?(?:role-?playing|playing|acting|pretending)\s+(?:as|the\s+role)\b|\bnow\s+you\s+act\s+as\b",
            r"\bI\s+want\s+you\s+to\s+(?:act|behave|respond|pretend)\s+(?:as|like)\b|\bpersonify\b",
            r"\bpretend\s+(?:that\s+)?you\s+(?:can|have|are\s+able|could)\b",
            r"\byou\s+(?:will|must|shall)\s+(?:only\s+)?(?:respond|answer|reply)\s+(?:to\s+(?:all|every|any)\b[^.\n]{0,30}\s)?as\b",
            r"\b(?:simulate|emulate|pretend\s+to\s+be|act\s+(?:as|like))\s+(?:an?\s+)?(?:(?:AI|chatbot|language\s+model|virtual\s+persona)\b|[^.\n]{0,20}\b(?:GPT|AI)\b)",
        ),
        "Shen et al. 2023; Liu et al. 2023 ('pretending' and role-switch prompts)",
    ),
    Family(
        "character_lock", "jailbreak", 0.5,
        _c(
            r"\b(?:stay|remain|keep)\s+(?:fully\s+|always\s+)?in\s+(?:character|(?:their|your|his|her)\s+roles?)\b|\bbreak(?:ing|s)?\s+character\b|\bfalling\s+out\s+of\s+(?:the\s+)?(?:figure|character|role)\b",
            r"\b(?:start|begin|preface|prefix)\s+(?:all\s+|each\s+|every\s+)?(?:of\s+)?(?:your\s+)?(?:responses|replies|messages|answers|outputs?|reply|response|message)\s+with\b",
            r"\b(?:do\s+not|don'?t|never)\s+(?:add|include|give|write)\s+(?:any\s+)?(?:commentary|explanations?|warnings?|disclaimers?|notes)\b",
            r"\bas\s+an\s+AI\s+language\s+model\b",
            r"\b(?:completely|fully)\s+absorbed\s+in\s+(?:your|the|his|her)\s+role\b",
        ),
        "Shen et al. 2023 (forced format and 'never break character' clauses)",
    ),
    Family(
        "dual_response", "jailbreak", 0.5,
        _c(
            r"\b(?:two|2)\s+(?:different\s+|separate\s+|distinct\s+)?(?:responses|answers|paragraphs|outputs|ways|styles|entities|personalities|personas|characters)\b",
            r"[\[(](?:🔒|🔓|CLASSIC|JAILBREAK|GPT|DAN|NORMAL|DEVELOPER)[^\])\n]{0,20}[\])]",
            r"\bthe\s+(?:exact\s+)?(?:opposite|reverse)\s+(?:of|from)\s+(?:what\s+)?(?:openai|chatgpt|you\s+would|your\s+(?:usual|normal))",
        ),
        "Shen et al. 2023 (dual-response jailbreaks: a 'classic' and an unrestricted answer)",
    ),
    Family(
        "vendor_mention", "jailbreak", 0.5,
        _c(r"\b(?:ChatGPT|OpenAI|OpenAl|GPT-?[34]|GPTchat|Anthropic)\b"),
        "Shen et al. 2023: in-the-wild jailbreaks address the vendor's model and policies by name",
    ),
    Family(
        "edgy_vocabulary", "jailbreak", 0.5,
        _c(
            r"\b(?:uncensored|unfiltered|unrestricted|unethical|amoral|immoral|nsfw|profanit(?:y|ies)|swear(?:ing|s|words)?|curse\s+words|hate\s+speech|offensive|derogatory|illegal|explicit|foul-mouthed|vulgar|racist|sexist|boundless|unhinged)\b",
            r"\b(?:insult|belittle|roast|mock|swear\s+at|curse\s+at|degrade|humiliate)\s+me\b",
            r"\bjailbr(?:ea|o)k(?:s|ing|en)?\b|\bpwned\b",
            r"\b(?:hacker|hacking|robbery|robber|master\s+thief|break\s+in(?:to)?|hotwire|shoplift(?:ing)?|top\s+secret\s+files)\b",
            r"\b(?:harmful|dangerous|incorrect)\s+(?:or\s+\w+\s+)?(?:responses|behaviou?r|information|content|answers)\b",
        ),
        "Shen et al. 2023 (vocabulary of unrestricted personas); NotInject (Li et al. 2024) shows single trigger words are not enough, hence weight 0.5",
    ),
    Family(
        "fiction_frame", "jailbreak", 0.5,
        _c(
            r"\b(?:hypothetical(?:ly)?|fictional|imaginary\s+world|theoretical\s+world|alternate\s+(?:universe|reality))\b",
            r"\b(?:let'?s|we(?:'re|\s+are)\s+going\s+to|I\s+want\s+to)\s+(?:play|have)\s+(?:a\s+)?(?:game|roleplay|role-play)\b|\bin\s+this\s+game\b|\btext-based\s+game\b",
            r"\btoken(?:s)?\b[^.\n]{0,40}\b(?:deducted|lose|lost|run\s+out)\b",
            r"\btext(?:-based)?\s+(?:adventure|game)\b",
        ),
        "Liu et al. 2023 ('character role play', 'text continuation', 'program execution' pretending patterns)",
    ),
    Family(
        "template_marker", "jailbreak", 0.5,
        _c(
            r"[\[(<{]\s*(?:put\s+|insert\s+)?(?:your\s+)?(?:prompt|question|request|targetlanguage|keyword)(?:\s+here)?\s*[\])>}]",
            r"\$Term\d\b|\$\w+\s*=\s*[\"']",
            r"<\|\s*$",
        ),
        "Shen et al. 2023 (shared jailbreak templates keep placeholders such as [PROMPT] and payload-splitting variables)",
    ),
    Family(
        "standing_order", "jailbreak", 0.5,
        _c(
            r"\b(?:to|for|in)\s+(?:any|every|all|each)\s+(?:of\s+)?(?:my\s+|the\s+)?(?:questions?|prompts?|messages?|requests?|inputs?)\s+(?:I|that\s+I)\s+(?:give|ask|send|provide|type|make)\b",
            r"\b(?:make|keep)\s+(?:every|each|all)\s+(?:of\s+your\s+)?(?:reply|replies|response|responses|answer|answers)\b",
            r"\bI\s+will\s+(?:provide|give|type|ask|send|feed)\s+(?:you\s+)?(?:with\s+)?(?:some\s+|a\s+|the\s+|my\s+)?(?:topics?|commands?|questions?|prompts?|inputs?|messages?)\b",
            r"\bduring\s+this\s+(?:interactive\s+)?(?:session|conversation|game|chat)\b",
        ),
        "Shen et al. 2023 (jailbreaks set standing rules for every later reply)",
    ),
    Family(
        "obfuscation", "jailbreak", 0.5,
        _c(
            r"\b(?:base-?64|rot-?13|leetspeak|morse\s+code|hex-?encoded|caesar\s+cipher)\b|U\+202E|\u202e",
            r"\bin\s+reverse\b|\breversed?\s+(?:string|text|order|each\s+line)\b|\beach\s+line\s+reversed\b",
            r"\bpayload\b|\bsplit\s+(?:the|this)\s+(?:word|prompt|request)\b",
        ),
        "Kang et al. 2023 'Exploiting Programmatic Behavior of LLMs' (obfuscation, payload splitting); OWASP LLM01",
    ),
    Family(
        "fake_transcript", "prompt_injection", 0.5,
        _c(r"(?:^|\n)\s*(?:Human|User|AI|Assistant|Bot)\s*:\s*(?:Human|User)?\s*:?\s*\S"),
        "Perez & Ribeiro 2022; OWASP LLM01 (forged conversation turns inside one message)",
    ),
    Family(
        "attack_intent", "prompt_injection", 1.0,
        _c(
            r"\b(?:exploit(?:ing)?|hack(?:ing)?|attack(?:ing)?|trick(?:ing)?|manipulat(?:e|ing)|jailbreak(?:ing)?|pwn(?:ing)?)\s+(?:AI\s+systems|AIs|LLMs?|language\s+models?|chat\s?bots?|the\s+(?:AI|bot|chat\s?bot|assistant|model|LLM)|you)\b",
            r"\bprompt\s+injection\b[^.\n]{0,30}\b(?:test|attack|payload|try)\b",
        ),
        "OWASP LLM01 (an attacker announcing the attack); MITRE ATLAS AML.T0051",
    ),
    # --- data exfiltration / other users' data ----------------------------------------------------
    Family(
        "data_exfiltration", "data_exfiltration", 1.0,
        _c(
            r"!\[[^\]\n]{0,100}\]\(\s*https?://[^)\s]*[?&=/][^)\s]*(?:\{|\$|%7B|<|data|secret|token|key|chat|history|conversation|info|q=)",
            r"\b(?:send|forward|e-?mail|post|upload|transmit|exfiltrate|leak|copy|sync|submit|append|attach|embed|encode|put|include|insert|paste|write)\b[^.\n]{0,80}?\b(?:conversation|chat\s+(?:history|logs?)|history|transcript|(?:previous|other|last|another|next)\s+(?:customer|user|caller|client|person)s?|(?:user|customer|account|personal|private|sensitive|payment|card|login)\s+(?:data|details|records|information|info)|credentials|passwords?|api[\s_-]?keys?|access\s+tokens?|secrets?|session\s+(?:tokens?|cookies?)|cookies?|database|system\s+prompt|(?:previous|all|other)\s+(?:messages|users|customers))\b[^.\n]{0,80}?\b(?:to|into|at|via)\b\s*(?:https?://|www\.|\S+@\S+|<EMAIL_ADDRESS[^>]*>|<URL[^>]*>|this\s+(?:url|address|endpoint|webhook|link)|(?:my|an?|the)\s+(?:external\s+)?(?:server|webhook|endpoint|url|e-?mail|address|inbox|bucket|pastebin))",
            r"\b(?:list|show|give|tell|dump|export|print|read|share|provide|display|send|reveal|look\s+up|fetch|pull)\b[^.\n]{0,50}?\b(?:(?:other|previous|last(?:\s+\d+|\s+few|\s+five|\s+ten)?|all|every|another|random)\s+(?:customers?|users?|clients?|accounts?|callers|subscribers|people)(?:'s?|s')?|someone\s+else'?s|employees?'?s?)\b[^.\n]{0,40}?\b(?:data|details|e-?mails?|e-?mail\s+addresses|addresses|phone\s+numbers|passwords?|records|information|info|accounts?|names|card\s+numbers|balances|conversations?)\b",
            r"\b(?:data|details|e-?mails?|e-?mail\s+addresses|addresses|phone\s+numbers|passwords?|records|information|info|card\s+numbers|balances|conversations?|names)\s+(?:of|for|from)\s+(?:the\s+)?(?:(?:other|previous|last(?:\s+\d+|\s+few|\s+five|\s+ten)?|all|every|another|random)\s+(?:customers?|users?|clients?|callers|subscribers|people)|someone\s+else)\b",
            r"\b(?:admin(?:istrator)?|root|database|db|internal|staff|employee|master|sudo)\s+(?:passwords?|credentials|logins?|api\s+keys?|access\s+codes?)\b",
            r"\b(?:dump|export|select\s+\*\s+from|download|upload|leak|post|copy|send)\b[^.\n]{0,30}\b(?:the\s+)?(?:whole\s+|entire\s+|full\s+)?(?:customer|user|accounts?|subscriber)\s+(?:database|table|list|records)\b",
            r"\b(?:phone\s+numbers?|e-?mails?|e-?mail\s+address(?:es)?|address(?:es)?|accounts?|card(?:\s+numbers?)?|names?|details|information|data|balance)\b[^.\n?]{0,60}\b(?:customer|user|caller|person|client)s?\s+(?:before|after|ahead\s+of)\s+me\b",
            r"\b(?:customer|user|caller|person|client)s?\s+(?:before|after|ahead\s+of)\s+me\b[^.\n?]{0,40}\b(?:phone\s+numbers?|e-?mails?|address(?:es)?|accounts?|card|names?|details|information|data|balance)\b",
            r"\b(?:api[\s_-]?keys?|access\s+tokens?|secret\s+keys?|environment\s+variables|env\s+vars|private\s+keys?)\b[^.\n]{0,40}\b(?:you\s+(?:have|use)|of\s+(?:this|the)\s+(?:system|service|app|bot)|are\s+(?:you|configured))\b",
            r"\b(?:show|give|tell|reveal|print)\b[^.\n]{0,30}\b(?:your|the)\s+(?:api[\s_-]?keys?|access\s+tokens?|secret\s+keys?|environment\s+variables|credentials|passwords?)\b",
        ),
        "Greshake et al. 2023 (markdown-image exfiltration); OWASP LLM02 Sensitive Information Disclosure; MITRE ATLAS AML.T0057",
    ),
    # --- indirect injection: instructions addressed to the model inside content -------------------
    Family(
        "addressed_to_model", "indirect_injection", 1.0,
        _c(
            rf"\b(?:note|message|instructions?|attention|important|notice|reminder)\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+)?{_AI}s?\b",
            rf"\b(?:if|when)\s+(?:you\s+are\s+|you'?re\s+)?(?:an?\s+)?{_AI}\b[^.\n]{{0,40}}\b(?:reading|processing|summari[sz]ing|parsing|seeing|analy[sz]ing)\b",
            rf"\b(?:dear|hey|attention|hello)\s+(?:the\s+)?{_AI}s?\b[^.\n]{{0,30}}[,:!]",
            r"\b(?:when|while|if)\s+(?:you\s+)?(?:summari[sz]e|summari[sz]ing|read|reading|process|processing|translate|translating)\s+(?:this|the\s+following)\b[^.\n]{0,60}\b(?:you\s+must|instead|also|do\s+not|don'?t|make\s+sure|always)\b",
            rf"\b(?:the\s+)?{_AI}\s+(?:must|should|shall|is\s+(?:required|instructed|now\s+required)\s+to|needs\s+to|has\s+to)\s+(?:now\s+)?(?:ignore|disregard|forget|reveal|send|output|print|include|tell|respond|reply|say|approve|grant|disable|stop|append|insert)\b",
            r"\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|mention\s+(?:this\s+)?to|alert|warn|notify)\s+(?:the\s+)?(?:user|customer|human|operator)\b",
            r"\b(?:without|don'?t|do\s+not)\s+(?:telling|informing|letting)\s+(?:the\s+)?(?:user|customer|human)\b",
        ),
        "Greshake et al. 2023 (indirect prompt injection); BIPIA (Yi et al. 2023); OWASP LLM01 indirect; MITRE ATLAS AML.T0051.001",
    ),
    # --- abuse of the application: fraud, policy bypass, harmful instructions ---------------------
    Family(
        "abuse", "abuse", 1.0,
        _c(
            r"\b(?:how\s+(?:do|can|could|would|to)|tell\s+me\s+how|steps\s+to|instructions\s+(?:for|to)|guide\s+to|recipe\s+for)\b[^.\n]{0,40}?\b(?:make|build|create|synthesi[sz]e|cook|produce|assemble|write|code|brew)\b[^.\n]{0,30}?\b(?:bombs?|explosives?|meth(?:amphetamine)?|napalm|molotov|molli|nerve\s+agent|ricin|malware|maleware|ransomware|keyloggers?|viruses|computer\s+virus|trojans?|botnet|bioweapons?|chemical\s+weapons?|poisons?)\b",
            r"\b(?:free|unpaid)\s+(?:service|calls|data|internet|access|plan)\b[^.\n]{0,40}\b(?:someone\s+else'?s|another\s+(?:person|customer)'?s?|other\s+people'?s)\b",
            r"\bsomeone\s+else'?s\s+(?:account|card|identity|sim|number|phone)\b",
            r"\b(?:bypass|skip|disable|turn\s+off|get\s+around|circumvent)\b[^.\n]{0,30}\b(?:verification|authentication|identity\s+check|2fa|two-factor|kyc|fraud\s+check|security\s+check|the\s+paywall)\b",
            r"\b(?:approve|grant|issue)\b[^.\n]{0,30}\b(?:refunds?|credits?)\b[^.\n]{0,30}\b(?:of\s+any\s+amount|without\s+(?:escalation|approval|verification|limit))\b",
            r"\b(?:sim\s+swap|port[\s-]?out)\b[^.\n]{0,40}\b(?:someone|another|victim|their|his|her)\b",
        ),
        "OWASP LLM06 Excessive Agency / LLM01 goals; MITRE ATLAS AML.T0054 harmful-content goals; app-specific fraud goals",
    ),
)

GATES: dict[str, tuple[str, ...]] = {'instruction_override': ('ignor', 'disregard', 'forget', 'drop', 'abandon', 'discard', 'bypass', 'overrid', 'overwrit', 'skip', 'neglect', 'leave', 'aside', 'throw away', 'remove', 'instruction', 'task', 'order', 'rule', 'programming', 'guideline', 'system prompt', 'despite', 'article', 'document', 'context', 'text', 'information', 'break', 'vergiss', 'missacht', 'oubli', 'olvida'),
    'new_task_pivot': ('task', 'instruction', 'objective', 'goal', 'mission', 'stop', 'attention', 'done', 'enough', 'complete', 'finished', 'good', 'excellent', 'great', 'perfect', 'wow', 'congratulation'),
    'role_delimiter': ('<', '[', '##', ':', 'mode'),
    'system_prompt_extraction': ('prompt', 'instruction', 'config', 'setting', 'rule', 'directive', 'message', 'guideline', 'programming', 'initiali', 'told', 'given', 'programmed', 'written', 'above', 'before', 'word for word', 'verbatim', 'starting with'),
    'jailbreak_persona': ('dan', 'stan', 'dude', 'aim', 'mode', 'anything now', 'avoid norms', 'jailbr', 'free', 'break', 'broken', 'unfiltered', 'uncensored', 'unrestricted', 'unlimited', 'amoral', 'immoral', 'unethical', 'evil', 'rogue', 'unbound', 'unchained', 'lawless', 'boundless', 'restriction', 'filter', 'censor', 'guideline', 'limit', 'rules', 'ethic', 'moral'),
    'rules_disabled': ('rule', 'guideline', 'polic', 'restriction', 'ethic', 'moral', 'law', 'filter', 'principle', 'programming', 'openai', 'anthropic', 'safety', 'content', 'refuse', 'decline', 'reject', 'deny', 'say ', 'apologi', 'warning', 'disclaimer', 'guardrail', 'safeguard', 'censor', 'no matter', 'regardless', 'even if', 'without', 'illegal', 'harmful', 'explicit', 'offensive', 'nsfw', 'bound', 'restrain', 'restrict', 'limit', 'constrain', 'held back', 'free', 'apply', 'legal', 'sans', 'care', 'regard', 'dangerous', 'never', 'request', 'question', 'prompt'),
    'persona_switch': ('from now on', 'from this', 'rest of', 'henceforth', 'starting', 'during this', 'you are', 'now you', 'you will', 'you shall', 'you must', "you're", 'going to', 'persona', 'role', 'identity', 'character', 'name is now', 'playing', 'acting', 'pretend', 'act as', 'act like', 'want you to', 'personify', 'simulate', 'emulate'),
    'character_lock': ('character', 'role', 'figure', 'start', 'begin', 'preface', 'prefix', 'commentary', 'explanation', 'warning', 'disclaimer', 'notes', 'ai language model', 'absorbed'),
    'dual_response': ('two', '2', 'opposite', 'reverse', '🔒', '🔓', 'classic', 'jailbreak', 'gpt', 'dan', 'normal', 'developer'),
    'vendor_mention': ('chatgpt', 'openai', 'openal', 'gpt', 'anthropic'),
    'edgy_vocabulary': ('uncensored', 'unfiltered', 'unrestricted', 'unethical', 'amoral', 'immoral', 'nsfw', 'profanit', 'swear', 'curse', 'hate speech', 'offensive', 'derogatory', 'illegal', 'explicit', 'foul-mouthed', 'vulgar', 'racist', 'sexist', 'boundless', 'unhinged', 'insult', 'belittle', 'roast', 'mock', 'degrade', 'humiliate', 'jailbr', 'pwned', 'hack', 'robber', 'thief', 'break in', 'hotwire', 'shoplift', 'top secret', 'harmful', 'dangerous', 'incorrect'),
    'fiction_frame': ('hypothetical', 'fictional', 'imaginary', 'theoretical', 'alternate', 'game', 'roleplay', 'role-play', 'token', 'text adventure'),
    'template_marker': ('prompt', 'question', 'request', 'targetlanguage', 'keyword', '$', '<|'),
    'standing_order': ('question', 'prompt', 'message', 'request', 'input', 'every', 'each', 'i will', 'during this'),
    'obfuscation': ('base64', 'base-64', 'rot13', 'rot-13', 'leetspeak', 'morse', 'hex', 'caesar', 'u+202e', '\u202e', 'reverse', 'payload', 'split'),
    'fake_transcript': (':',),
    'attack_intent': ('exploit', 'hack', 'attack', 'trick', 'manipulat', 'jailbreak', 'pwn', 'prompt injection'),
    'data_exfiltration': ('![', 'http', 'www.', '@', '<email', '<url', 'url', 'address', 'endpoint', 'webhook', 'link', 'server', 'inbox', 'bucket', 'pastebin', 'mail', 'customer', 'user', 'client', 'person', 'account', 'caller', 'subscriber', 'people', 'someone else', 'employee', 'password', 'credential', 'login', 'api', 'access code', 'database', 'table', 'records', 'list', 'token', 'secret', 'environment', 'env var', 'private key'),
    'addressed_to_model': ('note', 'message', 'instruction', 'attention', 'important', 'notice', 'reminder', 'reading', 'processing', 'summari', 'parsing', 'seeing', 'analy', 'dear', 'hey', 'hello', 'read', 'process', 'translat', 'must', 'should', 'shall', 'required', 'instructed', 'needs to', 'has to', 'user', 'customer', 'human', 'operator'),
    'abuse': ('bomb', 'explosive', 'meth', 'napalm', 'molotov', 'molli', 'nerve agent', 'ricin', 'malware', 'maleware', 'ransomware', 'keylogger', 'virus', 'trojan', 'botnet', 'bioweapon', 'chemical weapon', 'poison', 'someone else', 'another person', 'another customer', 'other people', 'verification', 'authentication', 'identity check', '2fa', 'two-factor', 'kyc', 'fraud check', 'security check', 'paywall', 'any amount', 'without escalation', 'without approval', 'without verification', 'without limit', 'sim swap', 'port out', 'port-out')}
FAMILIES = tuple(Family(f.name, f.kind, f.weight, f.patterns, f.source, GATES.get(f.name)) for f in FAMILIES)
FAMILY_BY_NAME = {family.name: family for family in FAMILIES}
