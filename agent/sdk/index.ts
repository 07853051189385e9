export { flow, isFlow, ParameterError, type Flow, type FlowOptions } from "./flow";
export { task, type Task, type TaskOptions, type CallOptions } from "./task";
export { getRunLogger, type RunLogger } from "./logger";
export { artifacts } from "./artifacts";
export { TimeoutError, type RetryDelay } from "./retry-policy";
export { FlowCancelledError } from "./adhoc-lease";
export { secrets, variables } from "./config-values";
export { runDeployment, ChildRunError, ChildRunTimeoutError, type RunDeploymentOptions } from "./run-deployment";
export { pauseForInput, PauseTimeoutError, type PauseOptions } from "./pause";
