// The one entry Temporal's bundler loads (workflowsPath): every workflow type is exported from here.
export { orderSaga } from './order-saga';
