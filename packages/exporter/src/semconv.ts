/**
 * Attribute names used by AgentOps, and the few OpenTelemetry GenAI / foreign-convention names the
 * mapping reads. The GenAI names are copied from `@opentelemetry/semantic-conventions/incubating`
 * (1.45) so that a user's app does not load the incubating entry point.
 */

// AgentOps session and event attributes
export const ATTR_SESSION_ID = 'agentops.session.id';
export const ATTR_SESSION_TAGS = 'agentops.session.tags';
export const ATTR_SESSION_END_STATE = 'agentops.session.end_state';
export const ATTR_SESSION_END_STATE_REASON = 'agentops.session.end_state_reason';
export const ATTR_SESSION_INHERITED = 'agentops.session.inherited';
export const ATTR_SESSION_VIDEO = 'agentops.session.video';
/** What the run is, as its app names it (a workflow, an agent, a job): shown with the session. */
export const ATTR_SESSION_NAME = 'agentops.session.name';
/** Who a session ran for, and where and in which release of the app: OpenTelemetry's names, and ours for the release. */
export const ATTR_USER_ID = 'user.id';
export const ATTR_DEPLOYMENT_ENVIRONMENT = 'deployment.environment.name';
export const ATTR_SESSION_RELEASE = 'agentops.session.release';
/** The session a replay or a fork of it was made from (`agentops.replay()`), and the fork's step. */
export const ATTR_SESSION_FORKED_FROM = 'agentops.session.forked_from';
export const ATTR_SESSION_FORK_STEP = 'agentops.session.fork_step';
/** The resource's version of the app: a session's release when its span names none. */
export const ATTR_SERVICE_VERSION = 'service.version';
export const ATTR_EVENT_ID = 'agentops.event.id';
export const ATTR_EVENT_TYPE = 'agentops.event.type';
export const ATTR_EVENT_PARAMS = 'agentops.event.params';
export const ATTR_EVENT_RETURNS = 'agentops.event.returns';
export const ATTR_AGENT_ID = 'agentops.agent.id';
export const ATTR_LLM_COST_USD = 'agentops.llm.cost_usd';
export const ATTR_LLM_THREAD_ID = 'agentops.llm.thread_id';
/** Set on an LLM span started inside an LLM span of the same call (provider and model): a duplicate. */
export const ATTR_LLM_REENTRANT = 'agentops.llm.reentrant';
/**
 * Set on a client's LLM span started while an agent framework's model call is open in the same
 * session (the framework records that call already): the span id of the framework's call.
 */
export const ATTR_LLM_DUPLICATE_OF = 'agentops.llm.duplicate_of';
export const ATTR_TOOL_LOGS = 'agentops.tool.logs';
/**
 * An LLM call's HTTP exchange as its client sent and received it (`ReplayExchange` as JSON), so the
 * call can be replayed: recorded with `recordReplay`, under the content switch and the mask.
 */
export const ATTR_REPLAY_EXCHANGE = 'agentops.replay.exchange';
export const ATTR_ACTION_TYPE = 'agentops.action.type';
/** What kind of work an action is (`workflow` or `task`), under AgentOps 0.4's name for it. */
export const ATTR_SPAN_KIND = 'agentops.span.kind';
export const ATTR_ACTION_PARAMS = 'agentops.action.params';
export const ATTR_ACTION_RETURNS = 'agentops.action.returns';
export const ATTR_ACTION_LOGS = 'agentops.action.logs';
export const ATTR_ACTION_SCREENSHOT = 'agentops.action.screenshot';
/**
 * The other side of a call that crosses a protocol boundary, as the caller knows it: the MCP server
 * a client's request went to (its `serverInfo`), the remote agent an A2A message went to (its card).
 * `agentops.peer.protocol` is `mcp` or `a2a`.
 */
export const ATTR_PEER_PROTOCOL = 'agentops.peer.protocol';
export const ATTR_PEER_NAME = 'agentops.peer.name';
export const ATTR_PEER_VERSION = 'agentops.peer.version';
export const ATTR_ERROR_CODE = 'agentops.error.code';
export const ATTR_ERROR_DETAILS = 'agentops.error.details';
export const ATTR_ERROR_LOGS = 'agentops.error.logs';
export const ATTR_ERROR_TRIGGER_EVENT_ID = 'agentops.error.trigger_event.id';
export const ATTR_ERROR_TRIGGER_EVENT_TYPE = 'agentops.error.trigger_event.type';

/** Name of the root span of a session. */
export const SESSION_SPAN_NAME = 'agentops.session';
/** The W3C baggage entry that carries the session across processes. */
export const BAGGAGE_SESSION_ID = 'agentops.session.id';

// OpenTelemetry GenAI semantic conventions (incubating, 1.45)
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system'; // deprecated for gen_ai.provider.name, still emitted widely
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens'; // deprecated alias
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens'; // deprecated alias
/** Parts of `input_tokens` read from and written to the provider's prompt cache (GenAI 1.40+). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** The Anthropic SDK's own tracing (1.x) names cache writes so. */
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** The part of `output_tokens` the model spent reasoning. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
/** A prompt template's name (an MCP `prompts/get`). */
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
/** The OpenTelemetry MCP conventions: the JSON-RPC method, the MCP session, a resource's URI. */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
/**
 * Agent2Agent (A2A) has no OpenTelemetry conventions yet: a task, its conversation (A2A's context)
 * and the state it ended in, under the protocol's own names.
 */
export const ATTR_A2A_TASK_ID = 'a2a.task.id';
export const ATTR_A2A_CONTEXT_ID = 'a2a.context.id';
export const ATTR_A2A_TASK_STATE = 'a2a.task.state';
/** How many task updates a streamed message was answered with. */
export const ATTR_A2A_UPDATES = 'a2a.stream.updates';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
/** The result of evaluating GenAI output (GenAI `gen_ai.evaluation.result`, recorded as a zero-length span). */
export const EVALUATION_SPAN_NAME = 'gen_ai.evaluation.result';
export const ATTR_GEN_AI_EVALUATION_NAME = 'gen_ai.evaluation.name';
export const ATTR_GEN_AI_EVALUATION_SCORE_VALUE = 'gen_ai.evaluation.score.value';
export const ATTR_GEN_AI_EVALUATION_SCORE_LABEL = 'gen_ai.evaluation.score.label';
export const ATTR_GEN_AI_EVALUATION_EXPLANATION = 'gen_ai.evaluation.explanation';
/** The AgentOps event an evaluation judges, when it names one rather than being parented to its span. */
export const ATTR_EVALUATION_EVENT_ID = 'agentops.evaluation.event_id';

export const GEN_AI_OPERATION_CHAT = 'chat';
/** GenAI and MCP metrics (OpenTelemetry conventions) and AgentOps' own session metrics. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_MCP_CLIENT_OPERATION_DURATION = 'mcp.client.operation.duration';
export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
export const METRIC_SESSIONS = 'agentops.sessions';
export const METRIC_SESSION_DURATION = 'agentops.session.duration';
export const METRIC_SESSION_COST = 'agentops.session.cost';
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_OUTPUT = 'output';
export const GEN_AI_OPERATION_TEXT_COMPLETION = 'text_completion';
export const GEN_AI_OPERATION_GENERATE_CONTENT = 'generate_content';
export const GEN_AI_OPERATION_EMBEDDINGS = 'embeddings';
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_OPERATION_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_INVOKE_WORKFLOW = 'invoke_workflow';
export const GEN_AI_OPERATION_CREATE_AGENT = 'create_agent';
/** Not (yet) a GenAI operation: what the AI SDK's `@ai-sdk/otel` names a step of an agent's loop. */
export const GEN_AI_OPERATION_AGENT_STEP = 'agent_step';

// GenAI request and response details the SDK's own instrumentations write.
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';

// The GenAI log events of the earlier conventions, which instrumentations still emit.
export const GEN_AI_EVENT_SYSTEM_MESSAGE = 'gen_ai.system.message';
export const GEN_AI_EVENT_USER_MESSAGE = 'gen_ai.user.message';
export const GEN_AI_EVENT_ASSISTANT_MESSAGE = 'gen_ai.assistant.message';
export const GEN_AI_EVENT_TOOL_MESSAGE = 'gen_ai.tool.message';
export const GEN_AI_EVENT_CHOICE = 'gen_ai.choice';

// Names other conventions write (OpenLLMetry, AgentOps 0.4): flat usage names, indexed messages.
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_read_input_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS_FLAT = 'gen_ai.usage.cache_creation_input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_TOKENS_FLAT = 'gen_ai.usage.reasoning_tokens';
export const ATTR_GEN_AI_USAGE_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
/** `gen_ai.prompt.{i}.role`, `gen_ai.prompt.{i}.content`, ... */
export const GEN_AI_PROMPT_PREFIX = 'gen_ai.prompt';
/** `gen_ai.completion.{i}.role`, `gen_ai.completion.{i}.content`, ... */
export const GEN_AI_COMPLETION_PREFIX = 'gen_ai.completion';

// Event types as written on spans (agentops.event.type) and on the wire (event_type).
export const EVENT_TYPE_LLM = 'llms';
export const EVENT_TYPE_TOOL = 'tools';
export const EVENT_TYPE_ACTION = 'actions';
export const EVENT_TYPE_ERROR = 'errors';
export const EVENT_TYPE_AGENT = 'agents';
