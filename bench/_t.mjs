import { searchText, searchDocuments } from '../packages/server/src/db/search-text.ts';
