export { shellQuote, shellQuoteArg } from './shell-quote';
