/** Money as reviewers read it: `$4.20`, `<$0.01`, `+$4.20/month`. */

export function formatUsd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.005) return value > 0 ? "<$0.01" : "-<$0.01";
  const text = Math.abs(value).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return value < 0 ? `-$${text}` : `$${text}`;
}

/** A change in monthly cost: `+$4.20/month`, `-$0.10/month`, `±$0.00/month`. */
export function formatUsdChange(delta: number): string {
  if (Math.abs(delta) < 0.005) return delta === 0 ? "±$0.00/month" : `${delta > 0 ? "+" : "-"}<$0.01/month`;
  const text = Math.abs(delta).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return `${delta > 0 ? "+" : "-"}$${text}/month`;
}
