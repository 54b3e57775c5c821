/**
 * Markdown for the job summary. Workflow labels, step names, parameters and server messages are
 * data: they must not break a table or open HTML tags when GitHub renders the summary.
 */

/** Keeps text from opening HTML tags in rendered Markdown. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** A table cell cannot hold a pipe or a line break; server messages may contain both. */
function escapeCell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>')
}

/** One row of a Markdown table, every cell escaped. */
export function tableRow(cells: string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`
}
