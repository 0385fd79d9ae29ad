// The wire types of provider-runtime (protocol.md §1), as plain TypeScript interfaces.
// Only shapes: the daemon validates every request and names the JSON path of a mistake.

export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';

// Opaque reasoning state on a text or tool-call part (Gemini's thought signature): send it back
// unchanged; the daemon replays it only to the provider and model named here.
export interface PartSignature {
  provider: string;
  model: string;
  value: string;
}

export interface TextPart {
  type: 'text';
  text: string;
  signature?: PartSignature | null;
}

export interface ImagePart {
  type: 'image';
  url?: string | null;
  data?: string | null;
  media_type?: string | null;
}

export interface ToolCall {
  type: 'tool_call';
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  raw_arguments?: string | null;
  signature?: PartSignature | null;
}

export interface ToolResult {
  type: 'tool_result';
  tool_call_id: string;
  content: string | Array<TextPart | ImagePart>;
  is_error?: boolean;
}

export interface ReasoningPart {
  type: 'reasoning';
  text?: string;
  signature?: string | null;
  redacted?: boolean;
  data?: string | null;
  provider?: string | null;
  model?: string | null;
}

export type ContentPart = TextPart | ImagePart | ToolCall | ToolResult | ReasoningPart;

export interface Message {
  role: MessageRole;
  content: string | ContentPart[];
}

export interface ToolDefinition {
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string | null;
      strict?: boolean | null;
    };

export interface ProviderRequest {
  model: string | { provider: string | null; id: string };
  messages: Message[];
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice | null;
  response_format?: ResponseFormat | null;
  temperature?: number | null;
  top_p?: number | null;
  max_output_tokens?: number | null;
  stop?: string[];
  reasoning?: {
    effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max' | null;
    budget_tokens?: number | null;
  } | null;
  metadata?: Record<string, string>;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
}

/** Money is a decimal string (USD), never a JSON number. */
export interface CostBreakdown {
  total: string;
  source: 'provider_reported' | 'user_config' | 'catalog';
  input: string | null;
  output: string | null;
  cache_read: string | null;
  cache_write: string | null;
  currency: string;
  snapshot: string | null;
  partial: boolean;
  missing_components: string[];
}

export interface RuntimeWarning {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export interface ProviderResponse {
  provider: string;
  model: string;
  output: { content: ContentPart[] };
  finish_reason: FinishReason;
  finish_reason_raw: string | null;
  usage: Usage;
  cost: CostBreakdown | null;
  warnings: RuntimeWarning[];
  request_id: string | null;
}

export interface ModelPricing {
  input: string | null;
  output: string | null;
  cache_read: string | null;
  cache_write: string | null;
  tiers: Array<Record<string, unknown>>;
}

export interface ModelInfo {
  provider: string;
  id: string;
  display_name: string | null;
  context_window: number | null;
  max_output_tokens: number | null;
  capabilities: { tools: boolean | null; vision: boolean | null; json_schema: boolean | null; reasoning: boolean | null };
  pricing: ModelPricing | null;
  source: 'static' | 'remote' | 'config';
}

export interface DiscoveryOptions {
  remote?: boolean;
  providers?: string[] | null;
}

export interface ModelsResult {
  models: ModelInfo[];
  warnings: RuntimeWarning[];
}

export interface ModelCatalog {
  snapshot: string | null;
  models: ModelInfo[];
}

export interface ProviderDescription {
  id: string;
  type: string;
  base_url: string | null;
  /** Where the key would come from ("env OPENAI_API_KEY (set)"), never the key. */
  credential: string;
}

export interface InitializeResult {
  serverInfo: { name: string; version: string };
  protocolVersion: string;
  methods: string[];
  providers: ProviderDescription[];
  defaultModel: string | null;
  warnings: RuntimeWarning[];
  configError: { code: number; message: string; data?: unknown } | null;
  [key: string]: unknown;
}

/** `error.data` of a failed call (protocol.md §2); provider fields may be null. */
export interface RuntimeErrorData {
  kind: string;
  retryable: boolean;
  provider?: string | null;
  status?: number | null;
  retry_after?: number | null;
  provider_code?: string | null;
  request_id?: string | null;
  candidates?: string[];
  path?: string | null;
  key?: string | null;
}
