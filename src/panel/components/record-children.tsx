import React from 'react';
import { PartRevisionsList } from './record-children/part-revisions-list.js';
import { WorkOrderTravelersList } from './record-children/work-order-travelers-list.js';

interface Props {
  record: { id: string };
  resource: { id: string };
}

/**
 * What belongs to a record, on its page: a part's revisions (with "add revision" in place) or a
 * work order's travelers (with "Create traveler"), from the children API (http/routes/routing.routes.ts).
 */
const RecordChildren: React.FC<Props> = ({ record, resource }) => {
  if (resource.id === 'parts') return <PartRevisionsList partId={record.id} />;
  if (resource.id === 'work_orders') return <WorkOrderTravelersList workOrderId={record.id} />;
  return null;
};

export default RecordChildren;
