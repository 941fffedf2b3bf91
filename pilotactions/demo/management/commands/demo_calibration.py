import textwrap

from django.core.management.base import BaseCommand

from pilotactions.demo.calibration import calibrate

HEADERS = ("Figure", "Publié", "Démo", "Écart", "Tolérance", "")


class Command(BaseCommand):
    help = (
        "Compare la démonstration au bilan publié : pour chaque figure ciblée, la valeur publiée, celle de la "
        "démonstration (calculée par le registre du bilan), l’écart et la tolérance. Code de sortie 1 si une "
        "figure est hors tolérance."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=2024, help="Année du bilan (2024 par défaut).")

    def handle(self, *args, **options):
        lines, targets = calibrate(year=options["year"])
        decisions: dict[str, int] = {}
        rows = []
        for line in lines:
            mark = ""
            if line.decision:
                number = decisions.setdefault(line.decision, len(decisions) + 1)
                mark = f" [{number}]"
            source = " (contrats)" if line.source == "contrats" else ""
            rows.append(
                (
                    f"{line.id} — {line.label}{source}",
                    line.published,
                    line.demo,
                    line.gap,
                    line.tolerance + mark,
                    "OK" if line.ok else "ÉCART",
                )
            )
        limits = (62, 30, 30, 16, 34, 5)
        widths = [min(limit, max(len(r[i]) for r in [HEADERS, *rows])) for i, limit in enumerate(limits)]

        def render(row):
            cells = [textwrap.wrap(text, width) or [""] for text, width in zip(row, widths, strict=True)]
            lines = []
            for index in range(max(len(c) for c in cells)):
                parts = [c[index] if index < len(c) else "" for c in cells]
                justified = [
                    parts[0].ljust(widths[0]),
                    parts[1].ljust(widths[1]),
                    parts[2].ljust(widths[2]),
                    parts[3].rjust(widths[3]),
                    parts[4].ljust(widths[4]),
                    parts[5],
                ]
                lines.append("  ".join(justified).rstrip())
            return "\n".join(lines)

        write = self.stdout.write
        write(
            f"Calibration de la démonstration sur le bilan 2025 des contrats locaux des solidarités ({options['year']})"
        )
        write("Valeurs de la démonstration calculées par le registre du bilan, sauf mention « (contrats) ».")
        write("")
        write(render(HEADERS))
        write(render(tuple("─" * w for w in widths)))
        for row in rows:
            write(render(row))
        write("")
        write("Décisions (docs/demo-data.md) :")
        for text, number in decisions.items():
            write(f"  [{number}] {text}")
        write(f"Figures publiées non ciblées : {len(targets['not_targeted'])} (voir docs/demo-data.md) :")
        for item in targets["not_targeted"]:
            write(f"  {item['id']} : {item['reason']}")
        failures = [line for line in lines if not line.ok]
        write(f"{len(lines)} figures vérifiées, {len(failures)} hors tolérance.")
        if failures:
            raise SystemExit(1)
