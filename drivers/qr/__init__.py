"""Frame to QR texts (decoders, preprocessing, the pipeline), the scan gate that turns a stream
of frames into one event per presentation, and hardware scanners (serial and keyboard wedge)."""
