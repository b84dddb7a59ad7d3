// What a paging handle continues with upstream after the rows it holds.
export interface Continuation {
  /** DataForSEO's search_after_token for the page after the held rows. */
  searchAfterToken?: string;
  /** Offset of the first row after the held rows. */
  offset?: number;
}
