// A small line chart (SVG, rendered on the server) of a metric over time.
type Point = { at: Date; value: number };

export function Sparkline({
  points,
  max,
  unit,
  label,
  testId,
}: {
  points: Point[];
  max?: number;
  unit: string;
  label: string;
  testId?: string;
}) {
  const width = 320;
  const height = 64;
  if (points.length < 2) {
    return (
      <div className="text-xs text-muted-foreground" data-testid={testId}>
        {label}: not enough samples yet (the host is polled every few seconds once connected).
      </div>
    );
  }
  const t0 = points[0]!.at.getTime();
  const t1 = points[points.length - 1]!.at.getTime();
  const top = max ?? Math.max(...points.map((p) => p.value), 1);
  const x = (p: Point) => ((p.at.getTime() - t0) / Math.max(1, t1 - t0)) * width;
  const y = (p: Point) => height - (Math.min(p.value, top) / top) * (height - 4) - 2;
  const last = points[points.length - 1]!;
  return (
    <figure className="grid gap-1" data-testid={testId}>
      <figcaption className="flex justify-between text-xs text-muted-foreground">
        <span>{label}</span>
        <span className="font-mono">
          {last.value.toFixed(1)} {unit}
        </span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-16 w-full rounded border bg-muted/30"
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label}, last ${last.value.toFixed(1)} ${unit}`}
      >
        <polyline
          fill="none"
          stroke="var(--primary)"
          strokeWidth="1.5"
          vectorEffect="non-scaling-stroke"
          points={points.map((p) => `${x(p).toFixed(1)},${y(p).toFixed(1)}`).join(' ')}
        />
      </svg>
    </figure>
  );
}
