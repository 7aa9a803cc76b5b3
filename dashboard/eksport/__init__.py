"""Conference mode without Streamlit: the slides of a region (innhold), rendered as framed
PNG/SVG (ramme), a static map (kart), a PowerPoint deck (powerpoint) and a PDF report (pdf).

Nothing here imports Streamlit, so `python -m etl report` and the dashboard share one content
model. Every number comes from a mart of the public warehouse; hidden cells stay hidden.
"""
