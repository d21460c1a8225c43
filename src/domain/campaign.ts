// Shared by the campaign CSV parser and the campaign store (issue 16 §5: the store imports no campaign code).

/** One torrent to release: a single file, or a folder of files (rows sharing a folder). */
export interface CampaignItem {
  /** First line of the item: release order. */
  readonly seq: number;
  /** info.name: the file name, or the folder. */
  readonly name: string;
  readonly files: readonly { readonly name: string; readonly size: number | null; readonly path: readonly string[] | null }[];
  /** Language (no, en, de, sv, da, nl ...) or country (NO, DE ...) for the warning; null = campaign default. */
  readonly lang: string | null;
}
