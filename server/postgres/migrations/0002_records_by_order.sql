-- Workflow records looked up by the order they are about (the report page lists an order's earlier reports).
CREATE INDEX evidence_reports_order_idx ON evidence_reports ((record->>'accountId'), (record->>'orderId'), sort_key);
CREATE INDEX complaints_order_idx ON complaints ((record->>'accountId'), (record->>'orderId'), sort_key);
