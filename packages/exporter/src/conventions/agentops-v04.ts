/**
 * The span shapes of AgentOps' 0.4.x SDKs (Python 0.4, the `agentops` npm package), which send
 * OpenTelemetry spans instead of REST v2 events: `agentops.span.kind` says what a span is (a
 * `{name}.session` root, `{name}.{kind}` decorator spans), `operation.name` or
 * `agentops.entity.name` its name, `agentops.entity.input`/`.output` (or `agentops.{kind}.input`/
 * `.output`) its arguments and result as JSON, `agentops.tags` the session's tags. Their LLM spans
 * are OpenLLMetry-shaped (`gen_ai.prompt.N.*`, `gen_ai.usage.prompt_tokens`): read by those conventions.
 */
import type { SpanCategory } from '../mapping/span-category.js';
import type { Convention } from './convention.js';

export const ATTR_V04_SPAN_KIND = 'agentops.span.kind';
export const ATTR_V04_TAGS = 'agentops.tags';
export const ATTR_V04_OPERATION_NAME = 'operation.name';
export const ATTR_V04_ENTITY_NAME = 'agentops.entity.name';
export const ATTR_V04_ENTITY_INPUT = 'agentops.entity.input';
export const ATTR_V04_ENTITY_OUTPUT = 'agentops.entity.output';

/** Each `agentops.span.kind` 0.4 writes, as what it is here; work that is no tool, agent or LLM call is an action. */
const KINDS: Readonly<Record<string, SpanCategory>> = {
  session: 'session',
  agent: 'agents',
  tool: 'tools',
  llm: 'llms',
  'llm.call': 'llms',
  task: 'actions',
  operation: 'actions',
  workflow: 'actions',
  'workflow.step': 'actions',
  guardrail: 'actions',
  team: 'actions',
  'agent.action': 'actions',
  'agent.thinking': 'actions',
  'agent.decision': 'actions',
};
const KIND_NAMES = ['tool', 'agent', 'task', 'operation', 'workflow', 'guardrail', 'team'];
const NAMES = [ATTR_V04_OPERATION_NAME, 'agentops.operation.name', ATTR_V04_ENTITY_NAME];
const INPUTS = [ATTR_V04_ENTITY_INPUT, ...KIND_NAMES.map((k) => `agentops.${k}.input`)];
const OUTPUTS = [ATTR_V04_ENTITY_OUTPUT, ...KIND_NAMES.map((k) => `agentops.${k}.output`)];

export const agentOpsV04: Convention = {
  name: 'agentops-0.4',
  category(span) {
    const kind = span.attributes[ATTR_V04_SPAN_KIND];
    return typeof kind === 'string' && Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  },
  toolName: NAMES,
  toolParams: INPUTS,
  toolReturns: OUTPUTS,
  actionParams: INPUTS,
  actionReturns: OUTPUTS,
  agentName: ['agent.name', ...NAMES],
  sessionTags: [ATTR_V04_TAGS],
};
