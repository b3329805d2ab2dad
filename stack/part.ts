/** The infrastructure parts the local stack provides (Mailpit: the mail catcher). */
export const PART_NAMES = ['postgres', 'kafka', 'temporal', 'mailpit'] as const;
/** One of PART_NAMES. */
export type PartName = (typeof PART_NAMES)[number];

/** What `stack status` reports for one part. */
export interface PartStatus {
  up: boolean;
  endpoint: string;
  /** Set when the stack runs this part; absent for an external part or one that is down. */
  pid?: number;
  /** True when configuration points at a server the stack does not manage. */
  external: boolean;
  /** Kafka only: each broker, the controller leader and the partitions short of replicas. */
  cluster?: ClusterStatus;
  /** Extra endpoints worth printing (e.g. the Temporal UI). */
  links?: Record<string, string>;
  log?: string;
}

/** One Kafka broker as `stack status` shows it. */
export interface BrokerStatus {
  nodeId: number;
  endpoint: string;
  up: boolean;
  pid?: number;
  /** Partitions of petstore's topics this broker leads now. */
  leaderOf: number;
}

/** The Kafka cluster as `stack status` shows it. */
export interface ClusterStatus {
  brokers: BrokerStatus[];
  /** The KRaft quorum's leader (the active controller), when the stack runs the nodes and one is elected. */
  controllerLeader?: number;
  /** Partitions of petstore's topics whose in-sync replicas are fewer than their replicas. */
  underReplicated: { topic: string; partition: number; leader: number; replicas: number[]; isr: number[] }[];
}

/** How start() found the part: launched now, already running, or someone else's. */
export type StartOutcome = 'started' | 'reused' | 'external';

/** One infrastructure part: provisioned, started and stopped by the stack unless it is external. */
export interface StackPart {
  readonly name: PartName;
  /** Download or install what the part needs (idempotent, cached). */
  provision(): Promise<void>;
  /** Start (or reuse) the part and wait until it answers. */
  start(): Promise<StartOutcome>;
  status(): Promise<PartStatus>;
  /** Stop the part if the stack runs it; true when something was stopped. */
  stop(): Promise<boolean>;
}

/** A prerequisite that is missing, with what to do about it. */
export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

/** Progress lines for a person watching the stack start (stderr in the CLI). */
export type Progress = (message: string) => void;
