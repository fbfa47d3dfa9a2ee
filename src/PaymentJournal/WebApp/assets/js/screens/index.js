// The screens, one module each. A new screen (bank statements, vendor payments, ...) is one more module listed here:
// it exports { pattern, render(main, params) } and its pattern is matched against the location's hash.
import * as companies from './companies.js';
import * as journals from './journals.js';
import * as worksheet from './worksheet.js';
import * as ledger from './ledger.js';
import * as bank from './bank.js';
import * as statement from './statement.js';

export const screens = [companies, journals, worksheet, ledger, bank, statement];
