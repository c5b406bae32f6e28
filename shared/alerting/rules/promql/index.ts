// Rule expressions (PromQL and the MetricsQL VictoriaMetrics 1.79 accepts) checked when rules load.
export { loadPromqlParser, parsePromql, promqlParserLoaded, promqlProblem, PromqlParserNotLoadedError, PromqlSyntaxError } from './parse.js';
export { METRICSQL_FUNCTIONS, metricsqlFunction, type FunctionArity, type FunctionKind } from './metricsql-functions.js';
