"""Which GenAI spans are LLM calls, and what to tell the operator when one carries no messages.

An agent trace holds inference spans (the LLM calls: records) next to tool, embedding, retrieval,
agent and chain spans. Those have no conversation of their own (or, for the agent span, a copy of
it), so they are skipped and counted, never quarantined: otherwise a healthy agent day fails its
bad-line limit.
"""

from __future__ import annotations

INFERENCE = "inference"
# gen_ai.operation.name (OpenTelemetry GenAI conventions) -> what the span is.
OPERATIONS = {
    "chat": INFERENCE,
    "text_completion": INFERENCE,
    "generate_content": INFERENCE,
    "completion": INFERENCE,
    "embeddings": "embedding",
    "embedding": "embedding",
    "execute_tool": "tool",
    "invoke_agent": "agent",
    "create_agent": "agent",
    "invoke_workflow": "chain",
    "retrieval": "retrieval",
}
# openinference.span.kind -> what the span is.
OPENINFERENCE_KINDS = {
    "LLM": INFERENCE,
    "EMBEDDING": "embedding",
    "TOOL": "tool",
    "AGENT": "agent",
    "CHAIN": "chain",
    "RETRIEVER": "retrieval",
    "RERANKER": "retrieval",
    "GUARDRAIL": "guardrail",
    "EVALUATOR": "evaluator",
    "PROMPT": "prompt",
}
# llm.request.type (OpenLLMetry before it wrote gen_ai.operation.name).
REQUEST_TYPES = {"chat": INFERENCE, "completion": INFERENCE, "embedding": "embedding", "rerank": "retrieval"}

# What to set so that each library records message content (kept short: a reason holds all three).
CAPTURE_SETTINGS = {
    "openinference": "OPENINFERENCE_HIDE_INPUTS=false and OPENINFERENCE_HIDE_INPUT_MESSAGES=false",
    "openllmetry": "TRACELOOP_TRACE_CONTENT=true",
    "semconv": "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only with "
    "OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental",
}


def span_kind(attrs: dict) -> str | None:
    """INFERENCE for an LLM call, another kind for a GenAI span that is not one, None for a span
    that has nothing to do with GenAI (HTTP, database...: ignored, as before)."""
    kind = attrs.get("openinference.span.kind")
    if isinstance(kind, str):
        return OPENINFERENCE_KINDS.get(kind.upper(), kind.lower())
    operation = attrs.get("gen_ai.operation.name")
    if isinstance(operation, str):
        return OPERATIONS.get(operation, operation)
    request_type = attrs.get("llm.request.type")
    if isinstance(request_type, str):
        return REQUEST_TYPES.get(request_type, request_type)
    if any(key.startswith(("gen_ai.", "llm.")) for key in attrs):
        return INFERENCE  # an older producer that names no operation: its spans were LLM calls
    return None


def producer(scope_name: str, attrs: dict) -> str | None:
    if scope_name.startswith("openinference") or "openinference.span.kind" in attrs:
        return "openinference"
    openllmetry_scope = scope_name.startswith("opentelemetry.instrumentation.") and scope_name.endswith((".v0", ".v1"))
    if openllmetry_scope or "llm.request.type" in attrs or "llm.is_streaming" in attrs or "gen_ai.is_streaming" in attrs:
        return "openllmetry"  # OpenLLMetry's scopes are opentelemetry.instrumentation.<vendor>.v0|v1
    if scope_name.startswith(("opentelemetry.instrumentation.", "opentelemetry.util.genai")):
        return "semconv"
    return None


def no_content_reason(scope_name: str, attrs: dict) -> str:
    """Why an LLM span gave no messages, with the setting that makes its library capture them."""
    found = producer(scope_name, attrs)
    settings = [CAPTURE_SETTINGS[found]] if found else list(CAPTURE_SETTINGS.values())
    if found == "semconv":
        # Its event modes put the content in the logs signal, which the day's log files may hold.
        settings.append("land its OTLP logs in the same day folder")
    return "LLM span without captured messages (set " + "; or ".join(settings) + ")"


def dropped_content_reason(index: int) -> str:
    return f"LLM span with a message whose content was not captured (input[{index}]; the instrumentation dropped it)"
