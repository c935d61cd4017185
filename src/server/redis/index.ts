/** The Redis engine (a documented sub-entry of the hub): hubs scaled out on one Redis. */
export { RedisEngine, type RedisEngineOptions } from './redis-engine';
