"""Resource usage: samples, their measures, series and live plots."""
